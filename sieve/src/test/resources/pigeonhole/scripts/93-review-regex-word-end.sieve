require ["fileinto","regex","variables"];
if header :regex "subject" "\\>Make" { fileinto "endword"; }
if header :regex "subject" "^\\$+" { fileinto "dollar"; }
