require ["imap4flags","variables","fileinto"];
addflag "myflags" "\\Seen";
if hasflag "myflags" "\\Seen" { fileinto "A"; }
