#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deps.sh install|ensure|list
#   install: apt-get install every package below (runs apt-get update first)
#   ensure:  install only when something is missing (what make runs)
#   list:    print the package list
#
# The exact Debian 12 packages deptscope's build, tests and benchmarks use.
set -euo pipefail

PKGS=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev libdw-dev
	libtraceevent-dev libtracefs-dev libtracecmd-dev libncurses-dev libgraphviz-dev libsqlite3-dev
	libclang-rt-14-dev chromium
	python3 sqlite3 bpftrace linux-perf trace-cmd procps util-linux libcap2-bin time tmux htop
	qemu-system-x86 busybox-static cpio xz-utils file flex bison bc libssl-dev dwarves
)

missing() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

install_pkgs() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: need root to install: $*" >&2
		echo "deps.sh: run 'sudo make deps' or install them yourself" >&2
		exit 1
	fi
	echo "deps.sh: installing: $*"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

case "${1:-ensure}" in
list)
	printf '%s\n' "${PKGS[@]}"
	;;
install)
	install_pkgs "${PKGS[@]}"
	;;
ensure)
	mapfile -t need < <(missing)
	if [ "${#need[@]}" -gt 0 ]; then
		install_pkgs "${need[@]}"
	fi
	;;
*)
	echo "usage: deps.sh install|ensure|list" >&2
	exit 2
	;;
esac
