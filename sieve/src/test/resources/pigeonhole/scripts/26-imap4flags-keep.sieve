require ["imap4flags", "fileinto"];
addflag "Foo";
addflag "foo \\Recent \\Bogus a(b ok";
if size :over 1K { keep :flags "\\Answered"; }
fileinto :flags "x" "Dup";
fileinto :flags "y" "Dup";
addflag "late";
