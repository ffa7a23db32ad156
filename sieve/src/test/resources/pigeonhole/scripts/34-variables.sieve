require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric", "imap4flags"];
set "folder" "Lists";
set :upper "shout" "äbc";
set :upperfirst :lower "title" "HELLO wORLD";
set :length "len" "äbc";
set :quotewildcard "q" "a*b?c\\d";
set "Twice" "${len}${LEN}";
if header :matches "subject" "* *" { fileinto "first-${1}-second-${2}"; }
if address :matches :domain "from" "*.*" { fileinto "domain-${1}"; }
if header :matches "x-none" "*" { fileinto "never"; }
fileinto "${folder}/${shout}/${title}/${twice}/${q}/${unset}";
if string :is "${len}" "3" { fileinto "len-is-3"; }
if string :count "eq" :comparator "i;ascii-numeric" ["a", "", "${unset}", "b"] "2" { fileinto "count-2"; }
if string :matches "${title}" "Hello *" { set "who" "${1}"; }
if string :is "${who}" "world" { fileinto "who-${who}"; }
addflag "${folder}";
if header :contains "subject" "${nothing}" { keep; }
if header :matches "subject" "*" { set "s" "${0}"; }
if string :value "gt" "${s}" "" { fileinto "subject-${s}"; }
