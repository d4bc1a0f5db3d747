#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks the packaging files: shell scripts, man page, OpenWrt and Buildroot
# packages. Run from anywhere (it works from the repository root):
#
#     ci/packaging.sh
#     IFPLUGD_BIN=target/release/ifplugd ci/packaging.sh   # also checks --version
#
# Needs shellcheck and mandoc; installs them with apt-get when missing.
# Never starts the daemon: the only binary it runs is "$IFPLUGD_BIN --version".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MAN=target-linux/ifplugd.8
ACTION=target-linux/ifplugd.action.example
OPTIONS_RS=core/src/options.rs
OW_DIR=target-linux/openwrt/ifplugd-rs
OW_MAKEFILE=$OW_DIR/Makefile
OW_INIT=$OW_DIR/files/ifplugd.init
OW_CONFIG=$OW_DIR/files/ifplugd.config
OW_ACTION=$OW_DIR/files/ifplugd.action
SYSTEMD_UNIT=target-linux/systemd/ifplugd@.service
BR_DIR=target-linux/buildroot/package/ifplugd-rs
BR_INIT=$BR_DIR/S41ifplugd
BR_MK=$BR_DIR/ifplugd-rs.mk
BR_CONFIG_IN=$BR_DIR/Config.in
BR_HASH=$BR_DIR/ifplugd-rs.hash

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	echo "ok    $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL  $*" >&2
}
note() {
	echo "note  $*"
}
die() {
	echo "packaging: $*" >&2
	exit 1
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------

apt_updated=0
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available to install $2"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "$1 is missing; installing $2 needs root or sudo"
		sudo=(sudo)
	fi
	if [ "$apt_updated" = 0 ]; then
		echo "packaging: installing $2 (apt-get update)"
		${sudo[@]+"${sudo[@]}"} apt-get update -qq >/dev/null || die "apt-get update failed"
		apt_updated=1
	fi
	${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null ||
		die "apt-get install $2 failed"
	command -v "$1" >/dev/null 2>&1 || die "$2 installed but $1 is still missing"
}
need shellcheck shellcheck
need mandoc mandoc

for f in "$MAN" "$ACTION" "$OPTIONS_RS" "$OW_MAKEFILE" "$OW_INIT" "$OW_CONFIG" \
	"$OW_ACTION" "$SYSTEMD_UNIT" "$BR_INIT" "$BR_MK" "$BR_CONFIG_IN" "$BR_HASH" Cargo.toml; do
	[ -f "$f" ] || die "missing file $f"
done

# --------------------------------------------------------------------------
# (a) shellcheck
# --------------------------------------------------------------------------

for f in "$ACTION" "$OW_INIT" "$OW_ACTION" "$BR_INIT"; do
	if out=$(shellcheck -s sh "$f" 2>&1); then
		pass "shellcheck -s sh $f"
	else
		printf '%s\n' "$out" >&2
		fail "shellcheck -s sh $f reports problems (above)"
	fi
done

for f in "$ACTION" "$OW_ACTION"; do
	if [ -x "$f" ]; then
		pass "$f is executable"
	else
		fail "$f is not executable (chmod 755; git keeps the mode)"
	fi
done
# Buildroot's check-package wants package files not executable (the .mk
# installs the script with mode 0755); ci/buildroot.sh runs check-package.
if [ -x "$BR_INIT" ]; then
	fail "$BR_INIT is executable: Buildroot wants mode 0644 (chmod 644)"
else
	pass "$BR_INIT is not executable, as Buildroot wants"
fi

# --------------------------------------------------------------------------
# (b) man page
# --------------------------------------------------------------------------

if out=$(mandoc -T lint -W warning "$MAN" 2>&1) && [ -z "$out" ]; then
	pass "mandoc -T lint -W warning $MAN is clean"
else
	printf '%s\n' "$out" >&2
	fail "mandoc -T lint -W warning $MAN reports problems (above)"
fi

STATUS_MAN=target-linux/ifplugstatus.8
if out=$(mandoc -T lint -W warning "$STATUS_MAN" 2>&1) && [ -z "$out" ]; then
	pass "mandoc -T lint -W warning $STATUS_MAN is clean"
else
	printf '%s\n' "$out" >&2
	fail "mandoc -T lint -W warning $STATUS_MAN reports problems (above)"
fi

if command -v man >/dev/null 2>&1; then
	if MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$MAN" >"$WORK/man.txt" 2>"$WORK/man.err" &&
		[ ! -s "$WORK/man.err" ] && grep -q 'ifplugd' "$WORK/man.txt"; then
		pass "man -l $MAN renders without warnings"
	else
		cat "$WORK/man.err" >&2
		fail "man -l $MAN does not render cleanly (above)"
	fi
else
	note "man is not installed: render check skipped (mandoc lint is the real check)"
fi

# --------------------------------------------------------------------------
# (c) options: USAGE in core/src/options.rs <-> OPTIONS in the man page
# --------------------------------------------------------------------------

# The USAGE string's option lines look like "\t-i IFACE\tInterface",
# "\t-f/-F\t\t..." or "\t-V, --version\t...": take the text between the
# first "\t" and the next one, then its -X and --long words.
awk '/^pub const USAGE: &str = "/ { on = 1; next } on && /^";/ { exit } on' \
	"$OPTIONS_RS" >"$WORK/usage.txt"
grep -E '^\\t-' "$WORK/usage.txt" |
	sed -E 's/^\\t//; s/\\t.*$//' |
	tr '/,' '  ' | tr -s ' ' '\n' |
	grep -E '^(-[A-Za-z]|--[a-z][a-z-]*)$' |
	sort -u >"$WORK/usage-opts.txt" || true

# The man page's option tags: the line after each .TP in the OPTIONS section.
awk '/^\.SH / { opts = ($0 ~ /^\.SH "?OPTIONS"?$/) } opts && tp { print } { tp = ($0 == ".TP") }' \
	"$MAN" |
	grep -oE '(\\-)+[A-Za-z][A-Za-z-]*' |
	sed 's/\\//g' |
	sort -u >"$WORK/man-opts.txt" || true

n_usage=$(wc -l <"$WORK/usage-opts.txt")
if [ "$n_usage" -lt 20 ]; then
	fail "found only $n_usage options in $OPTIONS_RS's USAGE: has its format changed?"
else
	missing=$(comm -23 "$WORK/usage-opts.txt" "$WORK/man-opts.txt" | tr '\n' ' ')
	extra=$(comm -13 "$WORK/usage-opts.txt" "$WORK/man-opts.txt" | tr '\n' ' ')
	if [ -z "$missing" ]; then
		pass "all $n_usage USAGE options have an entry in $MAN"
	else
		fail "options in USAGE but not in the man page's OPTIONS: $missing"
	fi
	if [ -z "$extra" ]; then
		pass "the man page lists no option that USAGE lacks"
	else
		fail "options in the man page but not in USAGE: $extra"
	fi
	# Every short option also appears as \-X somewhere in an .TP/.B entry.
	while read -r opt; do
		case $opt in --*) continue ;; esac
		grep -qF -- "\\${opt}" "$MAN" || fail "\\${opt} does not appear in $MAN"
	done <"$WORK/usage-opts.txt"
fi

# --------------------------------------------------------------------------
# (d1) OpenWrt init script against stub rc.common/UCI/procd functions
# --------------------------------------------------------------------------

# UCI file -> shell assignments: CONFIG_SECTIONS, CONFIG_<s>_TYPE,
# CONFIG_<s>_<option>. Handles 'quoted', "quoted" and bare values,
# anonymous sections, and "list" options, whose items are joined with
# spaces, as config_get and validate_data give them.
cat >"$WORK/uci2sh.awk" <<'EOF'
function unq(v) {
	if (v ~ /^'.*'$/ || v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
	return v
}
function sq(v) { gsub(/'/, "'\\''", v); return "'" v "'" }
/^[ \t]*(#|$)/ { next }
$1 == "config" {
	name = (NF >= 3) ? unq($3) : sprintf("cfg%02x", ++anon)
	sections = sections " " name
	print "CONFIG_" name "_TYPE=" sq(unq($2))
	next
}
$1 == "option" {
	key = $2
	val = $0
	sub(/^[ \t]*option[ \t]+[^ \t]+[ \t]+/, "", val)
	sub(/[ \t]+$/, "", val)
	print "CONFIG_" name "_" key "=" sq(unq(val))
	next
}
$1 == "list" {
	key = $2
	val = $0
	sub(/^[ \t]*list[ \t]+[^ \t]+[ \t]+/, "", val)
	sub(/[ \t]+$/, "", val)
	item = unq(val)
	list[name, key] = ((name, key) in list) ? list[name, key] " " item : item
	print "CONFIG_" name "_" key "=" sq(list[name, key])
	next
}
{ print "uci2sh: cannot parse: " $0 > "/dev/stderr"; exit 1 }
END { print "CONFIG_SECTIONS=" sq(sections) }
EOF

# The stubs, then the init script, then what procd would call.
cat >"$WORK/procd-harness.sh" <<'EOF'
# usage: sh procd-harness.sh INIT_SCRIPT FIXTURE.sh
__init=$1
. "$2"

config_load() {
	[ "$1" = ifplugd ] || { echo "harness: config_load $1" >&2; exit 3; }
}
config_foreach() {
	local __fn="$1" __type="$2" __s __t
	shift 2
	for __s in $CONFIG_SECTIONS; do
		eval "__t=\${CONFIG_${__s}_TYPE}"
		[ "$__t" = "$__type" ] && "$__fn" "$__s" "$@"
	done
	return 0
}
config_get() {
	[ $# -ge 3 ] || { echo "harness: config_get $*" >&2; exit 3; }
	eval "$1=\${CONFIG_${2}_${3}:-\$4}"
}
# procd.sh's uci_load_validate, with /sbin/validate_data's checks of the
# types the init script uses (bool, uinteger, string, or("a", "b")): sets
# each option to its value, else its default, then calls FUNCTION SECTION
# STATUS (0: all valid).
uci_load_validate() {
	local __name="$3" __fn="$4" __spec __opt __rest __t __def __v __ok=0
	[ "$1" = ifplugd ] && [ "$2" = ifplugd ] || { echo "harness: uci_load_validate $1 $2" >&2; exit 3; }
	shift 4
	for __spec in "$@"; do
		__opt=${__spec%%:*}
		__rest=${__spec#*:}
		case $__rest in
		*:*) __t=${__rest%:*} __def=${__rest##*:} ;;
		*) __t=$__rest __def= ;;
		esac
		eval "__v=\${CONFIG_${__name}_${__opt}-}"
		if [ -n "$__v" ]; then
			case $__t in
			bool) case $__v in 0 | 1 | on | off | true | false | yes | no | enabled | disabled) ;; *) __ok=1 ;; esac ;;
			uinteger) case $__v in *[!0-9]*) __ok=1 ;; esac ;;
			string) ;;
			or\(*) case ", ${__t#or(}" in *", \"$__v\""[,\)]*) ;; *) __ok=1 ;; esac ;;
			*) echo "harness: unknown type $__t" >&2; exit 3 ;;
			esac
		else
			__v=$__def
		fi
		eval "$__opt=\$__v"
	done
	"$__fn" "$__name" "$__ok"
}
procd_open_instance() {
	__name="$1" __cmd="" __params=""
	[ -n "$__name" ] || { echo "harness: procd_open_instance without a name" >&2; exit 3; }
}
procd_set_param() {
	local __p="$1" __a __w
	shift
	case $__p in
	command)
		__cmd=""
		for __a in "$@"; do
			case $__a in
			'' | *[!A-Za-z0-9_./=:,+-]*) __w="'$__a'" ;;
			*) __w="$__a" ;;
			esac
			__cmd="${__cmd:+$__cmd }$__w"
		done
		;;
	respawn) __params="$__params [respawn${1:+ $*}]" ;;
	term_timeout) __params="$__params [term_timeout $*]" ;;
	stdout | stderr) __params="$__params [$__p $*]" ;;
	*) echo "harness: unexpected procd_set_param $__p" >&2; exit 3 ;;
	esac
}
procd_append_param() {
	echo "harness: unexpected procd_append_param $*" >&2
	exit 3
}
procd_close_instance() {
	echo "instance $__name$__params: $__cmd"
}
procd_add_reload_trigger() {
	echo "trigger $*"
}
procd_add_validation() {
	echo "validation $*"
}
logger() { :; }

. "$__init"
start_service
service_triggers
EOF

# Init scripts run in a directory with files that patterns such as "lan*"
# would match, so a pattern expanded as a file name shows in the commands.
mkdir -p "$WORK/globs"
touch "$WORK/globs/lan1" "$WORK/globs/lan2" "$WORK/globs/wan0" "$WORK/globs/wan1"

# run_init NAME UCI-FILE EXPECTED-FILE [SECTION...]
# The named sections must each be reported as skipped on stderr.
run_init() {
	local name=$1 uci=$2 expected=$3 section
	shift 3
	if ! awk -f "$WORK/uci2sh.awk" "$uci" >"$WORK/$name.fixture.sh"; then
		fail "OpenWrt init ($name): cannot convert $uci"
		return
	fi
	if ! (cd "$WORK/globs" && sh "$WORK/procd-harness.sh" "$OLDPWD/$OW_INIT" "$WORK/$name.fixture.sh") \
		>"$WORK/$name.out" 2>"$WORK/$name.err"; then
		cat "$WORK/$name.err" >&2
		fail "OpenWrt init ($name): start_service failed (above)"
		return
	fi
	if diff -u "$expected" "$WORK/$name.out" >"$WORK/$name.diff"; then
		pass "OpenWrt init ($name): start_service starts exactly the expected instances"
	else
		cat "$WORK/$name.diff" >&2
		fail "OpenWrt init ($name): command lines differ from the expected ones (diff above)"
	fi
	for section in "$@"; do
		if grep -q "section '$section'.*skipped" "$WORK/$name.err"; then
			pass "OpenWrt init ($name): section '$section' is skipped with a message"
		else
			cat "$WORK/$name.err" >&2
			fail "OpenWrt init ($name): no 'skipped' message for section '$section'"
		fi
	done
}

cat >"$WORK/uci-mixed" <<'EOF'
config ifplugd 'lan'
	option enabled '1'
	option interface 'eth1'
	option script '/etc/ifplugd/ifplugd.action'
	option poll_time '2'
	option delay_up '1'
	option delay_down '3'
	option api_mode 'iff'
	option monitor '1'
	option no_shutdown '1'

config ifplugd 'wan'
	option enabled '0'
	option interface 'eth0'
	option monitor '1'

config other 'unrelated'
	option interface 'eth9'

config ifplugd 'wifi'
	option interface 'wlan0'
	option api_mode 'wlan'
	option extra_arg 'hello world'
	option no_auto 'yes'
	option ignore_fail 'on'
	option ignore_fail_positive 'true'
	option ignore_retval '1'
	option no_startup '1'
	option initial_down '1'
	option poll_only '1'
	option monitor 'off'

config ifplugd 'badnumber'
	option interface 'eth2'
	option delay_up '1s'

config ifplugd 'duplicate'
	option interface 'eth1'

config ifplugd 'nointerface'
	option enabled '1'

config ifplugd 'bydevice'
	option device 'eth4'
	option delay_down '2'

config ifplugd 'both'
	option device 'eth5'
	option interface 'eth5'

config ifplugd 'conflict'
	option device 'eth6'
	option interface 'eth7'

config ifplugd 'badmode'
	option interface 'eth8'
	option api_mode 'bogus'

config ifplugd 'badbool'
	option interface 'eth9'
	option monitor 'maybe'

config ifplugd
	option interface 'eth3'
	option delay_down 0
	option no_shutdown "0"
EOF
cat >"$WORK/expect-mixed" <<'EOF'
instance lan [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth1 -r /etc/ifplugd/ifplugd.action -t 2 -u 1 -d 3 -m iff -M -q
instance wifi [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i wlan0 -m wlan -x 'hello world' -a -f -F -I -p -l -P
instance bydevice [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth4 -d 2
instance both [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth5
instance cfg01 [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth3 -d 0
trigger ifplugd
validation ifplugd_validate
EOF
run_init mixed "$WORK/uci-mixed" "$WORK/expect-mixed" badnumber duplicate nointerface \
	conflict badmode badbool

# The shipped default config starts nothing; enabled, it starts its example.
printf 'trigger ifplugd\nvalidation ifplugd_validate\n' >"$WORK/expect-default"
run_init default "$OW_CONFIG" "$WORK/expect-default"
sed "s/option enabled '0'/option enabled '1'/" "$OW_CONFIG" >"$WORK/uci-default-on"
cat >"$WORK/expect-default-on" <<'EOF'
instance wan [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth0 -r /etc/ifplugd/ifplugd.action -t 1 -u 0 -d 5 -m auto -M
trigger ifplugd
validation ifplugd_validate
EOF
run_init default-enabled "$WORK/uci-default-on" "$WORK/expect-default-on"

# Several devices or patterns in one section: one instance, one -i each in
# the order given (an option with spaces or tabs, or a list; device and
# interface agree when they hold the same names); at most 8; a name or
# pattern that another section has, or one given twice, skips the section.
cat >"$WORK/uci-multi" <<'EOF'
config ifplugd 'lan'
	option device 'lan*'
	option ignore_retval '1'

config ifplugd 'ports'
	option device 'port1  port2	port3'
	option interface 'port1 port2 port3'
	option delay_down '2'

config ifplugd 'wans'
	list interface 'wan[0-9]'
	list interface 'dsl?'
	list interface 'lte0'

config ifplugd 'overlap'
	option interface 'lte0 eth9'

config ifplugd 'samepattern'
	option device 'lan*'

config ifplugd 'twice'
	option device 'eth1 eth2 eth1'

config ifplugd 'toomany'
	option device 'e1 e2 e3 e4 e5 e6 e7 e8 e9'

config ifplugd 'eight'
	option device 'e1 e2 e3 e4 e5 e6 e7 e8'

config ifplugd 'order'
	option device 'x1 x2'
	option interface 'x2 x1'

config ifplugd 'blank'
	option device ' '

config ifplugd 'single'
	option device 'eth0'
EOF
cat >"$WORK/expect-multi" <<'EOF'
instance lan [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i 'lan*' -I
instance ports [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i port1 -i port2 -i port3 -d 2
instance wans [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i 'wan[0-9]' -i 'dsl?' -i lte0
instance eight [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i e1 -i e2 -i e3 -i e4 -i e5 -i e6 -i e7 -i e8
instance single [respawn] [stdout 1] [stderr 1] [term_timeout 15]: /usr/sbin/ifplugd -n -s -i eth0
trigger ifplugd
validation ifplugd_validate
EOF
run_init multi "$WORK/uci-multi" "$WORK/expect-multi" overlap samepattern twice toomany \
	order blank

if grep -q '^#!/bin/sh /etc/rc.common$' "$OW_INIT" && grep -q '^USE_PROCD=1$' "$OW_INIT" &&
	grep -qE '^START=[0-9]+$' "$OW_INIT"; then
	pass "OpenWrt init: rc.common shebang, USE_PROCD=1, START="
else
	fail "OpenWrt init: needs '#!/bin/sh /etc/rc.common', USE_PROCD=1 and START=NN"
fi

# --------------------------------------------------------------------------
# (d2) Buildroot S41ifplugd with a stub start-stop-daemon
# --------------------------------------------------------------------------

# A copy of the script that reads $WORK/br/etc/default/ifplugd and writes
# pid files in $WORK/br/run instead of /etc/default and /var/run (nothing
# else changes), under the names a user gives it; start-stop-daemon is a
# stub that records its arguments. ci/buildroot.sh runs the real script with
# the real daemon in a network namespace.
mkdir -p "$WORK/br/bin" "$WORK/br/run" "$WORK/br/etc/default" "$WORK/br/init.d"
sed -e "s|/etc/default/|$WORK/br/etc/default/|g" -e "s|/var/run/|$WORK/br/run/|g" \
	"$BR_INIT" >"$WORK/br/init.d/S41ifplugd"
ln -s S41ifplugd "$WORK/br/init.d/S41ifplugd.eth1"
ln -s S41ifplugd "$WORK/br/init.d/S41ifplugd.eth0.1"
ln -s S41ifplugd "$WORK/br/init.d/S41ifplugd.lan1,wan0"
ln -s S41ifplugd "$WORK/br/init.d/S41ifplugd.lan*"
if grep -q "$WORK/br/etc/default/" "$WORK/br/init.d/S41ifplugd" &&
	grep -q "$WORK/br/run/" "$WORK/br/init.d/S41ifplugd"; then
	pass "Buildroot S41ifplugd reads /etc/default/ifplugd and writes /var/run/*.pid"
else
	fail "Buildroot S41ifplugd: no /etc/default/ or /var/run/ path to redirect for the test"
fi
cat >"$WORK/br/bin/start-stop-daemon" <<'EOF'
#!/bin/sh
# Records its arguments (a word with other than these characters quoted,
# so that "lan*" or "a b" shows as one word); "--stop --test" finds nothing
# running; a start for interface bad0 fails.
case " $* " in
*" --test "*) exit 1 ;;
esac
line="start-stop-daemon"
for a in "$@"; do
	case $a in
	'' | *[!A-Za-z0-9_./=:,+-]*) line="$line '$a'" ;;
	*) line="$line $a" ;;
	esac
done
echo "$line" | sed "s|$STUB_WORK|W|g" >>"$STUB_LOG"
for a in "$@"; do [ "$a" = bad0 ] && exit 1; done
exit 0
EOF
chmod +x "$WORK/br/bin/start-stop-daemon"

# run_sysv NAME SCRIPT DEFAULTS-OR-EMPTY EXPECTED-STATUS EXPECTED-LOG ARGS...
run_sysv() {
	local name=$1 script=$2 defaults=$3 want_rc=$4 expected=$5 rc=0
	shift 5
	rm -f "$WORK/br/etc/default/ifplugd"
	[ -z "$defaults" ] || cp "$defaults" "$WORK/br/etc/default/ifplugd"
	: >"$WORK/br/$name.log"
	(cd "$WORK/globs" && STUB_LOG="$WORK/br/$name.log" STUB_WORK="$WORK/br" PATH="$WORK/br/bin:$PATH" \
		sh "$WORK/br/init.d/$script" "$@") >"$WORK/br/$name.out" 2>&1 || rc=$?
	if [ "$rc" != "$want_rc" ]; then
		cat "$WORK/br/$name.out" >&2
		fail "Buildroot S41ifplugd ($name): exit status $rc, expected $want_rc"
	elif ! diff -u "$expected" "$WORK/br/$name.log" >&2; then
		fail "Buildroot S41ifplugd ($name): start-stop-daemon calls differ (diff above)"
	else
		pass "Buildroot S41ifplugd ($name): exit status $rc and the expected start-stop-daemon calls"
	fi
}

SSD_START='start-stop-daemon --start --background --make-pidfile --pidfile W/run/ifplugd.%s.pid --exec /usr/sbin/ifplugd -- -n %s -i %s\n'
SSD_STOP='start-stop-daemon --stop --quiet --pidfile W/run/ifplugd.%s.pid --exec /usr/sbin/ifplugd\n'
# BusyBox's defaults: eth0, -M.
# shellcheck disable=SC2059
printf "$SSD_START" eth0 -M eth0 >"$WORK/br/expect-nodefaults"
# shellcheck disable=SC2059
printf "$SSD_STOP" eth0 >"$WORK/br/expect-stop-nodefaults"
cat >"$WORK/br/default" <<'EOF'
DEFAULT_IFACE="wan0"
IFPLUGD_ARGS="-M -d 3 -r /etc/ifplugd/my.action"
EOF
# shellcheck disable=SC2059
printf "$SSD_START" wan0 '-M -d 3 -r /etc/ifplugd/my.action' wan0 >"$WORK/br/expect-start"
# shellcheck disable=SC2059
printf "$SSD_STOP" wan0 >"$WORK/br/expect-stop"
cat "$WORK/br/expect-stop" "$WORK/br/expect-start" >"$WORK/br/expect-restart"
# shellcheck disable=SC2059
printf "$SSD_START" eth1 '-M -d 3 -r /etc/ifplugd/my.action' eth1 >"$WORK/br/expect-link"
# shellcheck disable=SC2059
printf "$SSD_START" eth0.1 '-M -d 3 -r /etc/ifplugd/my.action' eth0.1 >"$WORK/br/expect-vlan"
printf 'DEFAULT_IFACE=""\n' >"$WORK/br/default-none"
# shellcheck disable=SC2059
printf "$SSD_START" eth1 -M eth1 >"$WORK/br/expect-link-only"
: >"$WORK/br/expect-none"
printf 'DEFAULT_IFACE=bad0\n' >"$WORK/br/default-bad"
# shellcheck disable=SC2059
printf "$SSD_START" bad0 -M bad0 >"$WORK/br/expect-bad"

run_sysv no-defaults-file S41ifplugd "" 0 "$WORK/br/expect-nodefaults" start
run_sysv no-defaults-file-stop S41ifplugd "" 0 "$WORK/br/expect-stop-nodefaults" stop
run_sysv start S41ifplugd "$WORK/br/default" 0 "$WORK/br/expect-start" start
run_sysv stop S41ifplugd "$WORK/br/default" 0 "$WORK/br/expect-stop" stop
run_sysv restart S41ifplugd "$WORK/br/default" 0 "$WORK/br/expect-restart" restart
run_sysv reload S41ifplugd "$WORK/br/default" 0 "$WORK/br/expect-restart" reload
run_sysv symlink S41ifplugd.eth1 "$WORK/br/default" 0 "$WORK/br/expect-link" start
run_sysv symlink-vlan S41ifplugd.eth0.1 "$WORK/br/default" 0 "$WORK/br/expect-vlan" start
run_sysv no-default-iface S41ifplugd "$WORK/br/default-none" 0 "$WORK/br/expect-none" start
run_sysv no-default-iface-link S41ifplugd.eth1 "$WORK/br/default-none" 0 "$WORK/br/expect-link-only" start
run_sysv start-fails S41ifplugd "$WORK/br/default-bad" 1 "$WORK/br/expect-bad" start
run_sysv usage S41ifplugd "$WORK/br/default" 1 "$WORK/br/expect-none" bogus

# Several interfaces or patterns for one daemon: DEFAULT_IFACE or the link
# name lists them, separated by spaces or commas (empty ones dropped); one
# -i each, in order; the pid file is named with them joined by ",", as the
# daemon names it; more than 8 fail without starting anything.
SSD_MSTART='start-stop-daemon --start --background --make-pidfile --pidfile %s --exec /usr/sbin/ifplugd -- -n -M -I %s\n'
SSD_MSTOP='start-stop-daemon --stop --quiet --pidfile %s --exec /usr/sbin/ifplugd\n'
printf 'DEFAULT_IFACE="lan* wan0"\nIFPLUGD_ARGS="-M -I"\n' >"$WORK/br/default-multi"
# shellcheck disable=SC2059
printf "$SSD_MSTART" "'W/run/ifplugd.lan*,wan0.pid'" "-i 'lan*' -i wan0" >"$WORK/br/expect-multi"
# shellcheck disable=SC2059
printf "$SSD_MSTOP" "'W/run/ifplugd.lan*,wan0.pid'" >"$WORK/br/expect-multi-stop"
cat "$WORK/br/expect-multi-stop" "$WORK/br/expect-multi" >"$WORK/br/expect-multi-restart"
printf 'DEFAULT_IFACE=" lan1,, wan0 ,lan2 "\nIFPLUGD_ARGS="-M -I"\n' >"$WORK/br/default-commas"
# shellcheck disable=SC2059
printf "$SSD_MSTART" W/run/ifplugd.lan1,wan0,lan2.pid "-i lan1 -i wan0 -i lan2" >"$WORK/br/expect-commas"
printf 'DEFAULT_IFACE=""\nIFPLUGD_ARGS="-M -I"\n' >"$WORK/br/default-none-multi"
# shellcheck disable=SC2059
printf "$SSD_MSTART" W/run/ifplugd.lan1,wan0.pid "-i lan1 -i wan0" >"$WORK/br/expect-multi-link"
# shellcheck disable=SC2059
printf "$SSD_MSTART" "'W/run/ifplugd.lan*.pid'" "-i 'lan*'" >"$WORK/br/expect-pattern-link"
printf 'DEFAULT_IFACE="e1 e2 e3 e4 e5 e6 e7 e8 e9"\n' >"$WORK/br/default-toomany"
printf 'DEFAULT_IFACE="e1 e2 e3 e4 e5 e6 e7 e8"\n' >"$WORK/br/default-eight"
# shellcheck disable=SC2059
printf "$SSD_START" e1,e2,e3,e4,e5,e6,e7,e8 -M "e1 -i e2 -i e3 -i e4 -i e5 -i e6 -i e7 -i e8" \
	>"$WORK/br/expect-eight"
printf 'DEFAULT_IFACE=" , "\n' >"$WORK/br/default-blank"

run_sysv multi S41ifplugd "$WORK/br/default-multi" 0 "$WORK/br/expect-multi" start
run_sysv multi-stop S41ifplugd "$WORK/br/default-multi" 0 "$WORK/br/expect-multi-stop" stop
run_sysv multi-restart S41ifplugd "$WORK/br/default-multi" 0 "$WORK/br/expect-multi-restart" restart
run_sysv multi-commas S41ifplugd "$WORK/br/default-commas" 0 "$WORK/br/expect-commas" start
run_sysv multi-link S41ifplugd.lan1,wan0 "$WORK/br/default-none-multi" 0 "$WORK/br/expect-multi-link" start
run_sysv pattern-link 'S41ifplugd.lan*' "$WORK/br/default-none-multi" 0 "$WORK/br/expect-pattern-link" start
run_sysv multi-eight S41ifplugd "$WORK/br/default-eight" 0 "$WORK/br/expect-eight" start
run_sysv multi-toomany S41ifplugd "$WORK/br/default-toomany" 1 "$WORK/br/expect-none" start
run_sysv multi-blank S41ifplugd "$WORK/br/default-blank" 0 "$WORK/br/expect-none" start
if grep -qx 'Starting ifplugd for lan\*,wan0: OK' "$WORK/br/multi.out" &&
	grep -qx 'Starting ifplugd for e1,e2,e3,e4,e5,e6,e7,e8,e9: FAIL (at most 8 interfaces: use a pattern)' \
		"$WORK/br/multi-toomany.out"; then
	pass "Buildroot S41ifplugd (multi): messages name the daemon as the pid file does"
else
	cat "$WORK/br/multi.out" "$WORK/br/multi-toomany.out" >&2
	fail "Buildroot S41ifplugd (multi): unexpected messages (above)"
fi

# --------------------------------------------------------------------------
# (d3) OpenWrt's default action script: hotplug-call
# --------------------------------------------------------------------------

mkdir -p "$WORK/hp"
cat >"$WORK/hp/hotplug-call" <<'EOF'
#!/bin/sh
# What /etc/hotplug.d/ifplugd/* scripts would see.
echo "$*|$ACTION|$DEVICE|$IFPLUGD_PREVIOUS|$IFPLUGD_CURRENT|$IFPLUGD_EXTRA" >>"$STUB_LOG"
exit 3
EOF
chmod +x "$WORK/hp/hotplug-call"
: >"$WORK/hp/log"
hp_rc=0
hp_call() { # PREVIOUS CURRENT ARGS...
	local prev=$1 cur=$2
	shift 2
	STUB_LOG="$WORK/hp/log" IFPLUGD_HOTPLUG_CALL="$WORK/hp/hotplug-call" \
		IFPLUGD_PREVIOUS=$prev IFPLUGD_CURRENT=$cur \
		sh "$OW_ACTION" "$@" >/dev/null 2>&1 || hp_rc=$?
}
hp_call down up eth0 up
hp_call up down eth0 down
hp_call error up lan1 up extra
cat >"$WORK/hp/expect" <<'EOF'
ifplugd|up|eth0|down|up|
ifplugd|down|eth0|up|down|
ifplugd|up|lan1|error|up|extra
EOF
if [ "$hp_rc" != 0 ]; then
	fail "OpenWrt ifplugd.action: exit status $hp_rc (a hook's status must not stop the daemon)"
elif diff -u "$WORK/hp/expect" "$WORK/hp/log" >&2; then
	pass "OpenWrt ifplugd.action: hotplug-call ifplugd with ACTION, DEVICE, IFPLUGD_*; exit 0"
else
	fail "OpenWrt ifplugd.action: hotplug-call saw other values (diff above)"
fi
if IFPLUGD_HOTPLUG_CALL="$WORK/hp/missing" sh "$OW_ACTION" eth0 up >/dev/null 2>&1; then
	fail "OpenWrt ifplugd.action: exits 0 without hotplug-call"
else
	pass "OpenWrt ifplugd.action: fails when hotplug-call is missing"
fi

# --------------------------------------------------------------------------
# (d4) systemd unit
# --------------------------------------------------------------------------

unit_ok=1
# shellcheck disable=SC2016
for want in '^ExecStart=/usr/sbin/ifplugd -n \$IFPLUGD_ARGS -i %I$' \
	'^Environment=IFPLUGD_ARGS=-M$' '^EnvironmentFile=-/etc/default/ifplugd$' \
	'^Type=simple$' '^Restart=on-failure$' '^WantedBy=multi-user.target$'; do
	grep -qE -- "$want" "$SYSTEMD_UNIT" || {
		unit_ok=0
		fail "$SYSTEMD_UNIT lacks /$want/"
	}
done
if grep -qE '^(KillSignal|KillMode)=' "$SYSTEMD_UNIT"; then
	unit_ok=0
	fail "$SYSTEMD_UNIT changes the stop signal: SIGTERM runs the down script"
fi
[ "$unit_ok" = 1 ] && pass "$SYSTEMD_UNIT: one foreground daemon per %I, BusyBox's IFPLUGD_ARGS, SIGTERM on stop"
if command -v systemd-analyze >/dev/null 2>&1; then
	cp "$SYSTEMD_UNIT" "$WORK/ifplugd@.service"
	if out=$(systemd-analyze verify --man=no "$WORK/ifplugd@eth0.service" 2>&1 | grep -v 'Failed to prepare filename\|/usr/sbin/ifplugd'); [ -z "$out" ]; then
		pass "systemd-analyze verify ifplugd@eth0.service"
	else
		printf '%s\n' "$out" >&2
		fail "systemd-analyze verify ifplugd@eth0.service reports problems (above)"
	fi
else
	note "systemd-analyze is not installed: the unit is checked by its lines only"
fi

# --------------------------------------------------------------------------
# (d5) the ifplugstatus link: installed only with the feature ifplugstatus
# --------------------------------------------------------------------------

# OpenWrt: the package's install rules through ci/openwrt-sdk's stand-in,
# with an empty file as the binary (nothing is built or run): the link comes
# with CONFIG_IFPLUGD_RS_IFPLUGSTATUS (which puts the feature into
# RUST_PKG_FEATURES) or RUST_PKG_FEATURES naming it, never without.
ow_link() { # MAKE-VARIABLES... -> prints the link's target, or nothing
	rm -rf "$WORK/ow"
	mkdir -p "$WORK/ow/ipkg-install/bin"
	: >"$WORK/ow/ipkg-install/bin/ifplugd"
	make -s -C "$OW_DIR" TOPDIR="$PWD/ci/openwrt-sdk" PKG_BUILD_DIR="$PWD" \
		WORK="$WORK/ow" "$@" install >&2 || echo "make failed"
	[ -f "$WORK/ow/root/usr/sbin/ifplugd" ] || echo "no ifplugd"
	readlink "$WORK/ow/root/usr/sbin/ifplugstatus" || true
}
if ! command -v make >/dev/null 2>&1; then
	fail "make is not installed: the OpenWrt package's install rules cannot be checked"
else
	ow_ok=1
	for case in ":" "CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y:ifplugd" \
		"RUST_PKG_FEATURES=multi,ifplugstatus:ifplugd" "RUST_PKG_FEATURES=multi ifplugstatus:ifplugd" \
		"RUST_PKG_FEATURES=multi:"; do
		vars=${case%:*} want=${case##*:}
		got=$(ow_link ${vars:+"$vars"})
		[ "$got" = "$want" ] || {
			ow_ok=0
			fail "$OW_MAKEFILE with '${vars:-no option}': /usr/sbin/ifplugstatus is '$got', expected '${want:-none}'"
		}
	done
	[ "$ow_ok" = 1 ] && pass "$OW_MAKEFILE links /usr/sbin/ifplugstatus only with the feature (its option or RUST_PKG_FEATURES)"
fi

# Buildroot: the option adds the feature and the link, and nothing else in
# the .mk names ifplugstatus (ci/buildroot.sh builds and runs both).
# shellcheck disable=SC2016 # make's $(...), not the shell's
br_if='/^ifeq ($(BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS),y)$/,/^endif$/'
# shellcheck disable=SC2016
if grep -q '^config BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS$' "$BR_CONFIG_IN" &&
	[ "$(sed -n "${br_if}s/^IFPLUGD_RS_CARGO_BUILD_OPTS += //p" "$BR_MK")" = "--features ifplugstatus" ] &&
	sed -n "${br_if}p" "$BR_MK" | grep -qx '.ln -sf ifplugd $(TARGET_DIR)/usr/sbin/ifplugstatus' &&
	! sed "${br_if}d" "$BR_MK" | grep -v '^#' | grep -q ifplugstatus; then
	pass "$BR_MK: BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS adds --features ifplugstatus and the link, nothing else does"
else
	fail "$BR_MK/$BR_CONFIG_IN: the ifplugstatus link must come with BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS and its --features ifplugstatus only"
fi

# --------------------------------------------------------------------------
# (d6) the 0.28 options: one package option brings compat-options (and ctl
# with it), wait-on-fork and script-log
# --------------------------------------------------------------------------

ow_features() { # MAKE-VARIABLES... -> RUST_PKG_FEATURES as the package sets it
	# shellcheck disable=SC2016 # make's $(...), not the shell's
	make -s -C "$OW_DIR" TOPDIR="$PWD/ci/openwrt-sdk" PKG_BUILD_DIR="$PWD" \
		WORK="$WORK/ow" "$@" --eval 'features: ; @echo "$(RUST_PKG_FEATURES)"' features
}
compat_features="compat-options wait-on-fork script-log"
if command -v make >/dev/null 2>&1 &&
	[ -z "$(ow_features)" ] &&
	[ "$(ow_features CONFIG_IFPLUGD_RS_COMPAT_028=y)" = "$compat_features" ] &&
	[ "$(ow_features CONFIG_IFPLUGD_RS_COMPAT_028=y CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y)" = "$compat_features ifplugstatus" ]; then
	pass "$OW_MAKEFILE: CONFIG_IFPLUGD_RS_COMPAT_028 adds $compat_features, and nothing is added without an option"
else
	fail "$OW_MAKEFILE: RUST_PKG_FEATURES is '$(ow_features 2>&1)' without options, '$(ow_features CONFIG_IFPLUGD_RS_COMPAT_028=y 2>&1)' with CONFIG_IFPLUGD_RS_COMPAT_028=y (expected '' and '$compat_features')"
fi
# shellcheck disable=SC2016 # make's $(...), not the shell's
br_compat='/^ifeq ($(BR2_PACKAGE_IFPLUGD_RS_COMPAT_028),y)$/,/^endif$/'
if grep -q '^config BR2_PACKAGE_IFPLUGD_RS_COMPAT_028$' "$BR_CONFIG_IN" &&
	[ "$(sed -n "${br_compat}s/^IFPLUGD_RS_CARGO_BUILD_OPTS += //p" "$BR_MK")" = "--features compat-options,wait-on-fork,script-log" ]; then
	pass "$BR_MK: BR2_PACKAGE_IFPLUGD_RS_COMPAT_028 adds --features compat-options,wait-on-fork,script-log"
else
	fail "$BR_MK/$BR_CONFIG_IN: BR2_PACKAGE_IFPLUGD_RS_COMPAT_028 must add --features compat-options,wait-on-fork,script-log"
fi

# --------------------------------------------------------------------------
# (e) versions
# --------------------------------------------------------------------------

cargo_version=$(awk '
	/^\[/ { in_pkg = ($0 == "[workspace.package]") }
	in_pkg && /^version[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); print v; exit }
' Cargo.toml)
[ -n "$cargo_version" ] || die "no version in Cargo.toml's [workspace.package]"

check_version() { # WHAT FOUND
	if [ "$2" = "$cargo_version" ]; then
		pass "$1 is $cargo_version, as in Cargo.toml"
	else
		fail "$1 is '${2}', Cargo.toml's [workspace.package] version is $cargo_version"
	fi
}
check_version "PKG_VERSION in $OW_MAKEFILE" \
	"$(sed -n 's/^PKG_VERSION:=[[:space:]]*//p' "$OW_MAKEFILE")"
check_version "IFPLUGD_RS_VERSION in $BR_MK" \
	"$(sed -n 's/^IFPLUGD_RS_VERSION[[:space:]]*=[[:space:]]*//p' "$BR_MK")"
for n in 4 5 6; do
	check_version "the -cargo$n tarball's version in $BR_HASH" \
		"$(sed -n "s/^sha256[[:space:]].*[[:space:]]ifplugd-rs-\(.*\)-cargo$n\.tar\.gz$/\1/p" "$BR_HASH")"
done
check_version "the version in $MAN's .TH line" \
	"$(sed -n 's/^\.TH .*"ifplugd-rs \([^"]*\)".*/\1/p' "$MAN")"
check_version "the version in $STATUS_MAN's .TH line" \
	"$(sed -n 's/^\.TH .*"ifplugd-rs \([^"]*\)".*/\1/p' "$STATUS_MAN")"

if [ -n "${IFPLUGD_BIN:-}" ]; then
	if [ ! -x "$IFPLUGD_BIN" ]; then
		fail "IFPLUGD_BIN=$IFPLUGD_BIN is not an executable file"
	elif ! out=$("$IFPLUGD_BIN" --version 2>&1); then
		fail "$IFPLUGD_BIN --version exited with an error: $out"
	else
		# The banner is "ifplugd-rs v<version>"; the "v" is optional here.
		case $out in
		"ifplugd-rs $cargo_version" | "ifplugd-rs v$cargo_version")
			pass "$IFPLUGD_BIN --version prints $out"
			;;
		*)
			fail "$IFPLUGD_BIN --version prints '$out', expected 'ifplugd-rs [v]$cargo_version'"
			;;
		esac
	fi
else
	note "IFPLUGD_BIN is not set: the binary's --version check is skipped"
fi

# --------------------------------------------------------------------------
# (f) package metadata and Buildroot check-package conventions
# --------------------------------------------------------------------------

ow_ok=1
for want in '^PKG_NAME:=ifplugd-rs$' '^PKG_LICENSE:=GPL-2.0-or-later$' \
	'^include \$\(TOPDIR\)/feeds/packages/lang/rust/rust-package\.mk$' \
	'^Build/Compile=\$\(call Build/Compile/Cargo,target-linux\)$' 'CARGO_PROFILE_RELEASE_PANIC=abort' \
	'\$\(eval \$\(call RustBinPackage,ifplugd-rs\)\)' \
	'\$\(eval \$\(call BuildPackage,ifplugd-rs\)\)' \
	'/usr/sbin/ifplugd' './files/ifplugd.init \$\(1\)/etc/init.d/ifplugd' \
	'./files/ifplugd.config \$\(1\)/etc/config/ifplugd'; do
	grep -qE -- "$want" "$OW_MAKEFILE" || {
		ow_ok=0
		fail "$OW_MAKEFILE lacks /$want/"
	}
done
[ "$ow_ok" = 1 ] && pass "$OW_MAKEFILE has the expected name, license, Rust includes and installs"

br_ok=1
hdr=$(printf '%080d' 0 | tr 0 '#')
if [ "$(sed -n '1p;5p' "$BR_MK")" != "$hdr"$'\n'"$hdr" ] ||
	[ "$(sed -n '2,4p' "$BR_MK")" != $'#\n# ifplugd-rs\n#' ]; then
	br_ok=0
	fail "$BR_MK: the header is not Buildroot's 80-# block naming ifplugd-rs"
fi
for want in '^IFPLUGD_RS_LICENSE = GPL-2\.0\+$' '^IFPLUGD_RS_LICENSE_FILES = LICENSE$' \
	'^IFPLUGD_RS_SUBDIR = target-linux$' '^IFPLUGD_RS_SITE = ' 'S41ifplugd' \
	'^\$\(eval \$\(cargo-package\)\)$'; do
	grep -qE -- "$want" "$BR_MK" || {
		br_ok=0
		fail "$BR_MK lacks /$want/"
	}
done
if grep -nE '^ +[^ ]' "$BR_MK" >&2; then
	br_ok=0
	fail "$BR_MK: lines indented with spaces (above)"
fi
if ! grep -q '^config BR2_PACKAGE_IFPLUGD_RS$' "$BR_CONFIG_IN" ||
	! grep -q $'^\tdepends on BR2_PACKAGE_HOST_RUSTC_TARGET_ARCH_SUPPORTS$' "$BR_CONFIG_IN" ||
	! grep -q $'^\tselect BR2_PACKAGE_HOST_RUSTC$' "$BR_CONFIG_IN"; then
	br_ok=0
	fail "$BR_CONFIG_IN: needs config BR2_PACKAGE_IFPLUGD_RS, its rustc depends and select"
fi
# Inside "help", text lines are tab + 2 spaces; other lines start with a tab
# (or are blank, "config", "comment", "if", "endif", "menu"...).
bad_help=$(awk '
	/^\thelp$/ { help = 1; next }
	/^[^\t]/ { help = 0 }
	help && /^$/ { next }
	help && !/^\t  [^ \t]/ { print FILENAME ":" NR ": " $0 }
	!help && /^ / { print FILENAME ":" NR ": space indent: " $0 }
	/[ \t]$/ { print FILENAME ":" NR ": trailing space" }
' "$BR_CONFIG_IN")
if [ -n "$bad_help" ]; then
	printf '%s\n' "$bad_help" >&2
	br_ok=0
	fail "$BR_CONFIG_IN: indentation does not follow check-package (above)"
fi
if ! grep -qE '^sha256  [0-9a-f]{64}  LICENSE$' "$BR_HASH"; then
	br_ok=0
	fail "$BR_HASH: no sha256 line for LICENSE"
elif [ "$(sed -n 's/^sha256  \([0-9a-f]*\)  LICENSE$/\1/p' "$BR_HASH")" != "$(sha256sum LICENSE | cut -d' ' -f1)" ]; then
	br_ok=0
	fail "$BR_HASH: the LICENSE hash is not the sha256 of ./LICENSE"
fi
[ "$br_ok" = 1 ] && pass "Buildroot package follows the check-package conventions checked here"

# --------------------------------------------------------------------------

echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
