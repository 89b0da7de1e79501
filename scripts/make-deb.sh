#!/usr/bin/env bash
# Build an installable Debian package of linerate (`make deb`): the binaries, example
# configurations as conffiles under /etc/linerate, the systemd template unit
# linerate@.service and its hugepage helper, man pages and documentation.
#
#   scripts/make-deb.sh [OUTDIR]        (default: the source tree)
#   env DEB_BUILD=DIR  meson build directory for the package (default build-deb; configured
#                      here with prefix /usr, sysconfdir /etc)
#       DEB_MAINTAINER  the Maintainer field (default: linerate developers
#                      <linerate-dev@example.org>)
#       MARCH=CPU      -march of the package (default corei7: SSE4.2, DPDK 22.11's minimum,
#                      so the package runs on other x86-64 servers than the one building it)
# Prints the path of the .deb on its last line. Depends come from the binaries' NEEDED
# libraries (the packages that provide them, at least at the version built against), plus
# dpdk (dpdk-devbind.py, dpdk-dumpcap; recommends the PMDs) and the ring mempool driver
# every DPDK pool needs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root}
bdir=${DEB_BUILD:-$root/build-deb}
march=${MARCH:-corei7}
maint=${DEB_MAINTAINER:-linerate developers <linerate-dev@example.org>}

die() { echo "make-deb: $*" >&2; exit 1; }
for c in dpkg-deb dpkg-query meson ninja objdump gzip md5sum; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found (make deps installs the build tools; objdump is in binutils)"
done

if [[ ! -f $bdir/build.ninja ]]; then
	meson setup "$bdir" "$root" --prefix=/usr --sysconfdir=/etc --libexecdir=libexec \
		-Dsystemdunitdir=/lib/systemd/system -Dmarch="$march" >"$bdir.setup.log" 2>&1 ||
		{ tail -n 20 "$bdir.setup.log" >&2; die "meson setup $bdir failed"; }
else
	meson configure "$bdir" -Dprefix=/usr -Dsysconfdir=/etc -Dlibexecdir=libexec \
		-Dsystemdunitdir=/lib/systemd/system -Dmarch="$march" >/dev/null
fi
ninja -C "$bdir" app/linerate app/linerate-ctl >/dev/null || die "build in $bdir failed"

version=$(meson introspect "$bdir" --projectinfo | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')
[[ -n $version ]] || die "no project version from meson introspect"
arch=$(dpkg --print-architecture)
stage=$(mktemp -d /tmp/linerate-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
meson install -C "$bdir" --no-rebuild --strip --destdir "$stage" >"$stage.install.log" 2>&1 ||
	{ tail -n 20 "$stage.install.log" >&2; rm -f "$stage.install.log"; die "meson install failed"; }
rm -f "$stage.install.log"

# Debian policy: compressed man pages and changelog, a copyright file.
gzip -9n "$stage"/usr/share/man/man8/*.8
doc=$stage/usr/share/doc/linerate
install -m 0644 "$root/dist/deb/copyright" "$doc/copyright"
gzip -9n "$doc"/*.md
{
	echo "linerate ($version-1) unstable; urgency=medium"
	echo
	echo "  * Package built from the source tree by scripts/make-deb.sh."
	echo
	echo " -- $maint  $(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n >"$doc/changelog.Debian.gz"

# Depends: the package of each NEEDED library, at least the version built against.
declare -A seen=()
deps=()
needed=$(objdump -p "$stage/usr/bin/linerate" "$stage/usr/bin/linerate-ctl" |
	awk '/NEEDED/ {print $2}' | sort -u)
for lib in $needed; do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !p {print $NF; p = 1}')
	[[ -n $path ]] || die "library $lib not found by ldconfig"
	pkg=$(dpkg-query -S "$path" 2>/dev/null || dpkg-query -S "$(readlink -f "$path")" 2>/dev/null ||
		dpkg-query -S "/usr$path" 2>/dev/null) || die "no package owns $path"
	pkg=${pkg%%:*}
	[[ -n ${seen[$pkg]:-} ]] && continue
	seen[$pkg]=1
	ver=$(dpkg-query -W -f='${Version}' "$pkg")
	ver=${ver#*:}
	deps+=("$pkg (>= ${ver%-*})")
done
deps+=("dpdk" "librte-mempool-ring23")
depends=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: linerate
Version: $version-1
Architecture: $arch
Maintainer: $maint
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: librte-net-tap23, librte-net-memif23
Section: net
Priority: optional
Description: DPDK userspace TCP/IP appliance
 linerate is a terminating TCP/IP endpoint on DPDK: poll-mode workers
 answer ARP, ICMP, UDP and TCP (RFC 9293) for the appliance's addresses,
 with built-in echo, discard, chargen and HTTP services, a load generator
 and a control socket (linerate-ctl). One systemd instance per
 configuration: systemctl start linerate@NAME runs /etc/linerate/NAME.ini.
CONTROL
(cd "$stage" && find etc -type f | sed 's|^|/|' | sort) >"$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "$root/dist/deb/$s" "$stage/DEBIAN/$s"
done
(cd "$stage" && find . \( -path ./DEBIAN -o -path ./etc \) -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs md5sum) >"$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +

mkdir -p "$out"
deb=$out/linerate_${version}-1_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "make-deb: $(du -h "$deb" | cut -f1) package"
echo "$deb"
