require "fileinto";
if header :contains "subject" "" { fileinto "first"; stop; }
fileinto "never";
