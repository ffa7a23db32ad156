require ["vacation", "variables"];
set "h" "handle-${d}";
vacation :handle "${h}" :days 2 "Away.";
