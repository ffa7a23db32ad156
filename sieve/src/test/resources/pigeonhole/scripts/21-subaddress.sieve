require ["fileinto", "subaddress", "envelope"];
if address :user "from" "taro" { fileinto "user"; }
if address :detail "from" "lists+more" { fileinto "detail"; }
if address :detail "to" "" { fileinto "empty-detail"; }
if address :detail :matches "to" "*" { fileinto "detail-any"; }
if address :detail :matches "cc" "*" { fileinto "cc-detail-any"; }
if address :user :is "cc" "a" { fileinto "cc-user"; }
if envelope :user "to" "user" { fileinto "env-user"; }
if envelope :detail :contains "to" "" { fileinto "env-detail"; }
