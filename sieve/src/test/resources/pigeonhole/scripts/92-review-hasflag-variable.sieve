require ["imap4flags","fileinto","variables"];
setflag "\\Seen foo";
set "k" "\\Seen foo";
if hasflag :is "${k}" { fileinto "both"; }
if hasflag :is "foo \\Seen" { fileinto "both2"; }
