require ["regex", "fileinto", "comparator-i;ascii-numeric"];
if header :regex "subject" "^invoice [0-9]{4}-[0-9]{2}" { fileinto "invoice"; }
if header :regex "subject" "INVOICE|MONEY" { fileinto "casemap"; }
if header :regex :comparator "i;octet" "subject" "INVOICE|MONEY" { fileinto "octet"; }
if header :regex "subject" "\\d{4}" { fileinto "d-is-d"; }
if header :regex "subject" "\\w+_[[:digit:]]+" { fileinto "class"; }
if header :regex "subject" "[[:alpha:]]+ [[:digit:]]" { fileinto "alpha-digit"; }
if header :regex "subject" "\\(urgent\\)$" { fileinto "anchored"; }
if header :regex "subject" "\\<for\\>" { fileinto "word"; }
if header :regex "subject" "[]a-c]x|[^[:space:]]{30}" { fileinto "bracket"; }
if header :regex "subject" "[\\]" { fileinto "backslash-in-bracket"; }
if address :regex :domain "from" "^[a-z]\\.example$" { fileinto "domain"; }
if header :regex "subject" ["^$", "議事録"] { fileinto "japanese-or-empty"; }
if header :regex "x-none" ".*" { fileinto "never"; }
if header :regex "subject" "fast$" { fileinto "fast"; }
