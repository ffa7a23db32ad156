require ["vacation", "variables"];
set "d" "X";
if header :matches "subject" "*" { set "s" "${1}"; }
vacation :subject "Re: ${s}" "Away (${d}).";
