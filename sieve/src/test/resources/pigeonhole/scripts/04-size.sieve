require "fileinto";
if size :over 10K { fileinto "big"; }
if size :under 1k { fileinto "small"; }
if size :over 343 { fileinto "over-343"; }
if size :under 343 { fileinto "under-343"; }
