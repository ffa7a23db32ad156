# Sourced by the load scripts (smtp-load.sh, imap-load.sh): CPU time of a server's process tree from /proc.
#
# CPU time (clock ticks) of processes and all their descendants, with what their reaped children used: how much
# of the two cores each side of a cell cost, whatever else ran on the machine meanwhile.
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }
ticks() {
  local p q t total=0
  for p in "$@"; do
    for q in "$p" $(descendants "$p"); do
      # A process that ended since ps listed it has no stat: it counts 0 (its time went to its parent's reaped part).
      t=$(sed 's/.*) //' "/proc/$q/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
      total=$(( total + ${t:-0} ))
    done
  done
  echo "$total"
}
# Milliseconds of CPU per unit: per_unit TICKS UNITS
per_unit() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (n > 0 ? t * 1000 / hz / n : 0) }'; }
