require ["imap4flags", "fileinto", "copy"];
if header :contains "subject" ["MONEY", "議事録", "news"] { addflag "\\Seen \\Flagged"; }
addflag ["$Label1", "\\seen"];
fileinto "Flagged";
removeflag "\\FLAGGED";
fileinto :copy :flags "\\Answered $Work" "Work";
if hasflag "\\Seen" { fileinto "seen"; }
if hasflag :contains "abel" { fileinto "label"; }
if hasflag :is ["\\Deleted \\Flagged", "nothing"] { fileinto "never"; }
setflag "\\Deleted";
if hasflag :matches "\\D*" { fileinto "deleted"; }
