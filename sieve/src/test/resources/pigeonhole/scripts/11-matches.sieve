require "fileinto";
if header :matches "subject" "$$$ * fast" { fileinto "star"; }
if header :matches "subject" "$$$ ??ke*" { fileinto "question"; }
if header :matches "subject" "*\\*" { fileinto "escaped-star"; }
if header :matches "subject" "*" { fileinto "any"; }
if header :matches "subject" "" { fileinto "empty"; }
if header :matches "from" "*@*" { fileinto "from-at"; }
if header :matches "subject" "件名 ??? *" { fileinto "japanese-question"; }
