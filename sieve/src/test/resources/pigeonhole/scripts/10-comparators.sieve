require ["fileinto", "comparator-i;ascii-numeric"];
if header :is :comparator "i;ascii-numeric" "x-spam-score" "12" { fileinto "numeric-is"; }
if header :is :comparator "i;ascii-numeric" "x-number" "42" { fileinto "numeric-prefix"; }
if header :is :comparator "i;ascii-numeric" "x-absent" "0" { fileinto "numeric-absent"; }
if header :is :comparator "i;octet" "subject" "$$$ make money fast" { fileinto "octet-case"; }
if header :is "subject" "$$$ make money fast" { fileinto "casemap"; }
if header :contains :comparator "i;octet" "subject" "MONEY" { fileinto "octet-contains"; }
