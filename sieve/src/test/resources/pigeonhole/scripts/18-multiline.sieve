require "fileinto";
if header :matches "subject" text:
*MONEY*
.
{ fileinto "never-crlf"; }
if header :contains "subject" [text:
fast
.
, "Make"] { fileinto "list-with-text"; }
