#!/usr/bin/env bash
# Install and service (issue #12 item 6): `make install` with DESTDIR and PREFIX puts the
# expected files in a temporary tree (nothing else); the systemd template unit passes
# `systemd-analyze verify`; `make deb`'s script builds a package whose contents, control
# fields and conffiles are checked with dpkg-deb (and lintian, when installed); the package
# installs with dpkg -i, its binaries and configuration start the appliance on net_tap (the
# unit's hugepage helper first), answer a ping and stop on SIGTERM; then it is purged.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

lr_init install
require root tun hugepages netns binaries cmd:meson cmd:ninja cmd:dpkg-deb cmd:systemd-analyze \
	cmd:objdump cmd:ping || lr_done

# ---- make install: DESTDIR and PREFIX ---------------------------------------------------
DEST=$LR_TMP/root
out=$(make -C "$LR_ROOT" --no-print-directory install BUILD="$LR_BUILD" DESTDIR="$DEST" \
	PREFIX=/opt/linerate 2>&1)
check "make install DESTDIR=... PREFIX=/opt/linerate exits 0" test $? -eq 0 ||
	printf '%s\n' "$out" | tail -n 20 | diag
# make install and make-deb.sh below change only the build's install paths (nothing is
# recompiled); put its defaults back when the test ends
restore_build() {
	meson configure "$LR_BUILD" -Dprefix=/usr/local -Dsysconfdir=etc -Dlibexecdir=libexec \
		-Dsystemdunitdir= >/dev/null 2>&1
}
trap 'restore_build; lr_cleanup' EXIT

configs=$(cd "$LR_ROOT/pmd_config" && ls ./*.ini | sed 's|^\./|etc/linerate/|')
want=$(printf '%s\n' \
	etc/default/linerate \
	$configs \
	opt/linerate/bin/linerate \
	opt/linerate/bin/linerate-ctl \
	opt/linerate/lib/systemd/system/linerate@.service \
	opt/linerate/libexec/linerate/linerate-hugepages \
	opt/linerate/share/doc/linerate/README.md \
	opt/linerate/share/doc/linerate/README.pmd_config.md \
	opt/linerate/share/man/man8/linerate-ctl.8 \
	opt/linerate/share/man/man8/linerate.8 | sort)
got=$(cd "$DEST" 2>/dev/null && find . -type f -o -type l | sed 's|^\./||' | sort)
if [[ $got == "$want" ]]; then
	ok "DESTDIR tree holds exactly the $(wc -l <<<"$want") expected files"
else
	not_ok "DESTDIR tree differs from the expected file list"
	diff <(echo "$want") <(echo "$got") | diag
fi
unit=$DEST/opt/linerate/lib/systemd/system/linerate@.service
check_grep "unit runs PREFIX's binary on SYSCONFDIR's config" \
	'^ExecStart=/opt/linerate/bin/linerate --config /etc/linerate/%i.ini$' "$(cat "$unit" 2>/dev/null)"
check_grep "unit's ExecStartPre is the installed hugepage helper" \
	'^ExecStartPre=/opt/linerate/libexec/linerate/linerate-hugepages \$LINERATE_HUGEPAGES$' \
	"$(cat "$unit" 2>/dev/null)"
check "installed binary runs: linerate --version" "$DEST/opt/linerate/bin/linerate" --version
check "hugepage helper refuses a bad count with exit 2" \
	bash -c "'$DEST/opt/linerate/libexec/linerate/linerate-hugepages' lots; test \$? -eq 2"
check "man pages format without warnings" bash -c \
	"! command -v groff >/dev/null || ! LC_ALL=C groff -man -ww -z '$DEST'/opt/linerate/share/man/man8/*.8 2>&1 | grep ."

# ---- the package --------------------------------------------------------------------------
# The test's build directory with -march=native (so nothing is compiled again); `make deb`
# itself builds in build-deb with MARCH=corei7.
PKGDIR=$LR_TMP/pkg
out=$(DEB_BUILD=$LR_BUILD MARCH=native bash "$LR_ROOT/scripts/make-deb.sh" "$PKGDIR" 2>&1)
deb=$(tail -n 1 <<<"$out")
if [[ $deb == *.deb && -f $deb ]]; then
	ok "make-deb.sh builds $(basename "$deb")"
else
	not_ok "make-deb.sh built no package"
	printf '%s\n' "$out" | tail -n 20 | diag
	lr_done
fi
contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
for f in /usr/bin/linerate /usr/bin/linerate-ctl /etc/linerate/tap.ini /etc/linerate/nic-ice.ini \
	/lib/systemd/system/linerate@.service /usr/libexec/linerate/linerate-hugepages \
	/usr/share/man/man8/linerate.8.gz /usr/share/man/man8/linerate-ctl.8.gz \
	/usr/share/doc/linerate/copyright /usr/share/doc/linerate/changelog.Debian.gz; do
	check_grep "package contains $f" "^$f\$" "$contents"
done
info=$(dpkg-deb --info "$deb")
check_grep "package depends on the DPDK libraries it links" 'Depends:.*librte-eal23 \(>= ' "$info"
check_grep "package depends on the ring mempool driver" 'Depends:.*librte-mempool-ring23' "$info"
check_grep "configurations are conffiles" '^/etc/linerate/tap.ini$' \
	"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"
if command -v lintian >/dev/null 2>&1; then
	lint=$(lintian --tag-display-limit 0 "$deb" 2>&1)
	if grep -q '^E: ' <<<"$lint"; then
		not_ok "lintian reports errors"
		grep '^E: ' <<<"$lint" | diag
	else
		ok "lintian: no errors ($(grep -c '^W: ' <<<"$lint") warnings)"
	fi
else
	note "lintian not installed: package not linted"
fi

# ---- dpkg -i, run as the unit would, purge --------------------------------------------------
if dpkg-query -W -f='${Status}' linerate 2>/dev/null | grep -q installed; then
	if [[ ${CI:-} == true ]]; then not_ok "a linerate package is installed already"; else
		skip "a linerate package is installed already: not installing over it"; fi
	lr_done
fi
purge() { dpkg --purge linerate >/dev/null 2>&1; }
trap 'purge; restore_build; lr_cleanup' EXIT
out=$(dpkg -i "$deb" 2>&1)
check "dpkg -i installs the package" test $? -eq 0 || printf '%s\n' "$out" | tail -n 20 | diag
check "systemd-analyze verify linerate@tap.service" \
	systemd-analyze verify --man=no /lib/systemd/system/linerate@.service
check_grep "installed version answers" "$(meson introspect "$LR_BUILD" --projectinfo |
	sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')" "$(/usr/bin/linerate --version 2>&1)"
check "the unit's ExecStartPre (hugepage helper) succeeds" /usr/libexec/linerate/linerate-hugepages 64
LINERATE=/usr/bin/linerate LINERATE_CTL=/usr/bin/linerate-ctl LR_CONFIG=/etc/linerate/tap.ini
start_linerate || lr_done
peer_setup || lr_done
check "ping the installed appliance" nsx ping -c 2 -i 0.2 -W 2 "$LR_OUR_IP"
check_grep "installed linerate-ctl talks to it" 'linerate' "$(ctl version 2>&1)"
stop_linerate
purge
check "dpkg --purge removes binaries, unit and configurations" bash -c \
	'! test -e /usr/bin/linerate && ! test -e /lib/systemd/system/linerate@.service && ! test -e /etc/linerate'
lr_done
