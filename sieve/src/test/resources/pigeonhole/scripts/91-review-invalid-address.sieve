require ["fileinto","variables"];
if address :matches :all "from" "*" { fileinto "all-[${1}]"; }
if address :matches :localpart "from" "*" { fileinto "lp-[${1}]"; }
if address :matches :all "to" "*" { fileinto "to-[${1}]"; }
if address :matches :localpart "to" "*" { fileinto "tolp-[${1}]"; }
if address :matches :domain "to" "*" { fileinto "todom-[${1}]"; }
if address :matches :all "cc" "*" { fileinto "cc-[${1}]"; }
if exists "to" { fileinto "to-exists"; }
