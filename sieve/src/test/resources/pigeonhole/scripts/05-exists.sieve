require "fileinto";
if exists "list-id" { fileinto "has-list-id"; }
if exists ["from", "x-nothing"] { fileinto "both"; }
if not exists "subject" { fileinto "no-subject"; }
if exists ["FROM", "To"] { fileinto "from-and-to"; }
