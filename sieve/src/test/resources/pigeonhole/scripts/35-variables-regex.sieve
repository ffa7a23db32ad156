require ["variables", "regex", "fileinto"];
if header :regex "subject" "^([^ ]+) ([^ ]+)" { fileinto "re-${1}-${2}"; }
if address :regex :localpart "from" "^(.)" { fileinto "initial-${1}"; }
set "pattern" "^[0-9]+$";
if header :regex "x-number" "${pattern}" { fileinto "all-digits"; }
