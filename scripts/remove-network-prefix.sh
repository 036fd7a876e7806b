#!/usr/bin/env bash
# Removes the host network objects that a psc-engine started with --network-prefix PREFIX made:
# its links (bridges PREFIX0 and PREFIX-<id>, host veths PREFIXv…) and its iptables chains
# (PREFIX in upper case) with the rules in other chains that jump to them or name its links.
# For benchmarks and test runs with a private prefix; stop that engine first. Docker users know
# this as removing docker0 and the DOCKER chains by hand.
set -u
P=${1:?usage: $0 PREFIX, the --network-prefix of the engine, e.g. pscb}
UP=$(tr '[:lower:]' '[:upper:]' <<<"$P")
for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$P"); do
  ip link del "$link" 2>/dev/null
done
our_chains() { # TABLE: the chains named PREFIX or PREFIX-…
  iptables-save -t "$1" | grep -E "^:$UP(-| )" | cut -d' ' -f1 | cut -c2-
}
for table in filter nat; do
  iptables-save -t "$table" | grep '^-A ' | grep -v -E "^-A $UP(-| )" | grep -E -- "-j $UP(-| |$)|[io] $P" | sed 's/^-A/-D/' |
    while read -r rule; do eval iptables -w -t "$table" "$rule"; done
  chains=$(our_chains "$table")
  for chain in $chains; do iptables -w -t "$table" -F "$chain"; done
  for chain in $chains; do iptables -w -t "$table" -X "$chain"; done
done
exit 0
