require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "eq" :comparator "i;ascii-numeric" "subject" "999" { fileinto "infinity-eq"; }
if header :value "gt" :comparator "i;ascii-numeric" "subject" "999" { fileinto "infinity-gt"; }
if header :value "eq" :comparator "i;ascii-numeric" "subject" "x" { fileinto "both-infinite"; }
