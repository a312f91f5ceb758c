#!/bin/sh
# Writes zk's shell completions (bash, zsh, fish) into a directory: argument-parser's scripts,
# generated from the command definitions (znode paths complete live through `zk` itself), with
# three fixes applied so that they behave as zk's own parsing does:
#   bash, fish: -s, -c and -f before the command name take a value (shorthands of --server,
#               --command and --file that zk rewrites before parsing);
#   zsh:        -s, -c and -f before the command name too; the whole line is passed as $ZK_COMPLETION_LINE, since zsh hands the completion
#               call only the subcommand's words and the server named before it would be lost;
#   fish:       the cursor position within the word is its length (`commandline -tC` fails in
#               fish 3's non-interactive `complete -C`);
#   bash:       the words are split at white space only, not at COMP_WORDBREAKS' ':' and '=', so that
#               `-s host:port` stays one word (argument-parser's function runs as __zk_main inside
#               a _zk that re-splits the line, and trims what bash will not replace from the answers;
#               a lone node with children completes with its slash and no space after it).
# usage: generate_completions.sh ZK_BINARY DIRECTORY      (make completions: into completions/)
set -eu
zk=$1
out=$2
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$zk" --generate-completion-script bash |
    sed -e '0,/local -a non_repeating_options=(--server/s//local -a non_repeating_options=(-s -c -f --server/' \
        -e 's/^_zk() {$/__zk_main() {/' -e '/^complete -o filenames -F _zk zk$/d' >"$tmp/zk.bash"
cat >>"$tmp/zk.bash" <<'EOF'
# The words as zk reads them, split at white space only: bash also splits at COMP_WORDBREAKS (':',
# '='...), which would make `-s host:port` three words.
_zk() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a COMP_WORDS
    read -ra COMP_WORDS <<<"${line}"
    if [[ -z "${line}" || "${line}" == *[[:space:]] ]]; then COMP_WORDS+=(''); fi
    local COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    local word="${COMP_WORDS[COMP_CWORD]}"
    __zk_main "${1}" "${word}" "${COMP_WORDS[COMP_CWORD - 1]}"
    # bash replaces only what follows the word's last break character.
    local kept="${word%"${word##*[${COMP_WORDBREAKS// /}]}"}"
    if [[ -n "${kept}" ]]; then COMPREPLY=("${COMPREPLY[@]#"${kept}"}"); fi
    # A lone node with children comes with its slash: the next name follows without a space.
    if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == */ ]]; then compopt -o nospace 2>/dev/null; fi
}

complete -o filenames -F _zk zk
EOF
"$zk" --generate-completion-script zsh |
    sed -e "0,/^        '--server\\[/{/^        '--server\\[/i\\
        '-s[Short for --server (before the command name).]:server:'\\
        '-c[Short for --command.]:command:'\\
        '-f[Short for --file.]:file:_files'
}" -e 's/"$("${command_name}" "${@}" "${command_line\[@\]}")"/"$(ZK_COMPLETION_LINE="${BUFFER}" "${command_name}" "${@}" "${command_line[@]}")"/' \
        >"$tmp/_zk"
"$zk" --generate-completion-script fish |
    sed -e "0,/__zk_parse_subcommand 0 'server='/s//__zk_parse_subcommand 0 's\/server=' 'c=' 'f='/" \
        -e 's/(__zk_tokens -tC)/(string length -- (commandline -ct))/g' >"$tmp/zk.fish"
for file in zk.bash _zk zk.fish; do
    [ -s "$tmp/$file" ] || { echo "generate_completions.sh: $file came out empty" >&2; exit 1; }
done
grep -q ZK_COMPLETION_LINE "$tmp/_zk" && grep -q "'-s\\[Short" "$tmp/_zk" || { echo "generate_completions.sh: zsh fix did not apply" >&2; exit 1; }
grep -q "^__zk_main() {" "$tmp/zk.bash" || { echo "generate_completions.sh: bash fix did not apply" >&2; exit 1; }
grep -q "'s/server='" "$tmp/zk.fish" || { echo "generate_completions.sh: fish fix did not apply" >&2; exit 1; }
mv "$tmp/zk.bash" "$tmp/_zk" "$tmp/zk.fish" "$out/"
