# A vacation script that answers every message (":seconds 0", RFC 6131), so each delivery costs a response.
require ["vacation", "vacation-seconds"];
vacation :seconds 0 :subject "Away" "I am away until Monday.";
