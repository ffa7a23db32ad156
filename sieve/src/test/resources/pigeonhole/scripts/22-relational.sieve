require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "gt" :comparator "i;ascii-numeric" "x-score" "5" { fileinto "score-gt-5"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-priority" "4" { fileinto "some-priority-lt-4"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-priority" "2" { fileinto "two-priorities"; }
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "5" { fileinto "five-or-more"; }
if address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] "5" { fileinto "more-than-five"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-none" "0" { fileinto "count-zero"; }
if header :value "ge" "subject" "sub" { fileinto "casemap-ge"; }
if header :value "ne" "subject" ["subaddress", "other"] { fileinto "ne-any"; }
if header :count "lt" "x-priority" "10" { fileinto "casemap-count-lt"; }
