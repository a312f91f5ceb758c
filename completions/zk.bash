#!/bin/bash

__zk_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__zk_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__zk_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__zk_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

__zk_main() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--embedded --read-only --tls --insecure-skip-tls-verify --json --stop-on-error --version -h --help)
    local -a repeating_options=(--auth)
    local -a non_repeating_options=(-s -c -f --server --timeout --connect-timeout --max-reply --tls-ca --tls-cert --tls-key --sasl --sasl-user --sasl-password-file --sasl-service --sasl-host --keytab --principal --jaas --jaas-section --command --file)
    __zk_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--timeout')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--max-reply')
        return
        ;;
    '--auth')
        return
        ;;
    '--tls-ca')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|crt)'
        return
        ;;
    '--tls-cert')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|crt)'
        return
        ;;
    '--tls-key')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|crt|key)'
        return
        ;;
    '--sasl')
        __zk_add_completions -W 'DIGEST-MD5'$'\n''GSSAPI'
        return
        ;;
    '--sasl-user')
        return
        ;;
    '--sasl-password-file')
        __zk_add_completions -f
        return
        ;;
    '--sasl-service')
        return
        ;;
    '--sasl-host')
        return
        ;;
    '--keytab')
        __zk_add_completions -f
        return
        ;;
    '--principal')
        return
        ;;
    '--jaas')
        __zk_add_completions -f
        return
        ;;
    '--jaas-section')
        return
        ;;
    '--command')
        return
        ;;
    '--file')
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ls|get|set|create|delete|deleteall|stat|exists|tree|find|grep|du|cp|txn|getAcl|setAcl|addauth|whoami|digest|sync|getAllChildrenNumber|getEphemerals|session|config|watch|addWatch|removewatches|setquota|listquota|delquota|reconfig|4lw|lock|elect|queue|edit|diff|connect|close|printwatches|cd|pwd|quit|version|serve|register|services|barrier|bench|snapshot|txnlog|help)
        # Offer subcommand argument completions
        "_zk_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ls get set create delete deleteall stat exists tree find grep du cp txn getAcl setAcl addauth whoami digest sync getAllChildrenNumber getEphemerals session config watch addWatch removewatches setquota listquota delquota reconfig 4lw lock elect queue edit diff connect close printwatches cd pwd quit version serve register services barrier bench snapshot txnlog help' -- "${cur}"))
        ;;
    esac
}

_zk_ls() {
    repeating_flags=()
    non_repeating_flags=(--json -s -R -w -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion ls -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_get() {
    repeating_flags=()
    non_repeating_flags=(--json -s -w -b --base64 -x --hex -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion get -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_set() {
    repeating_flags=()
    non_repeating_flags=(--json -s -b --base64 -h --help)
    repeating_options=()
    non_repeating_options=(-v)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-v')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion set -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_create() {
    repeating_flags=()
    non_repeating_flags=(--json -e -s -c --parents -h --help)
    repeating_options=()
    non_repeating_options=(-t)
    __zk_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '-t')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion create -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(-v)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-v')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion delete -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_deleteall() {
    repeating_flags=()
    non_repeating_flags=(--json --force -h --help)
    repeating_options=()
    non_repeating_options=(-b)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-b')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion deleteall -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_stat() {
    repeating_flags=()
    non_repeating_flags=(--json -w -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion stat -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_exists() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion exists -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_tree() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--depth -d)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--depth'|'-d')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion tree -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_find() {
    repeating_flags=()
    non_repeating_flags=(--json --ephemeral -h --help)
    repeating_options=()
    non_repeating_options=(--name --regex)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--regex')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion find -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_grep() {
    repeating_flags=()
    non_repeating_flags=(--json -l -i -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    2)
        __zk_add_completions -W "$(__zk_custom_complete ---completion grep -- positional@1 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_du() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion du -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_cp() {
    repeating_flags=()
    non_repeating_flags=(--json --force -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion cp -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __zk_add_completions -W "$(__zk_custom_complete ---completion cp -- positional@1 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_txn() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options -1
}

_zk_getAcl() {
    repeating_flags=()
    non_repeating_flags=(--json -s -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion getAcl -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_setAcl() {
    repeating_flags=()
    non_repeating_flags=(--json -R -r -s -h --help)
    repeating_options=()
    non_repeating_options=(-v)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-v')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion setAcl -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_addauth() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2
}

_zk_whoami() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_digest() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1
}

_zk_sync() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion sync -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_getAllChildrenNumber() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion getAllChildrenNumber -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_getEphemerals() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion getEphemerals -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_session() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_config() {
    repeating_flags=()
    non_repeating_flags=(--json -c -s -w -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_watch() {
    repeating_flags=()
    non_repeating_flags=(--json -R -h --help)
    repeating_options=()
    non_repeating_options=(--count --exec)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--count')
        return
        ;;
    '--exec')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion watch -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_addWatch() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(-m --count)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-m')
        __zk_add_completions -W 'PERSISTENT'$'\n''PERSISTENT_RECURSIVE'
        return
        ;;
    '--count')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion addWatch -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_removewatches() {
    repeating_flags=()
    non_repeating_flags=(--json -c -d -a -l -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion removewatches -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_setquota() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(-n -b -N -B)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-n')
        return
        ;;
    '-b')
        return
        ;;
    '-N')
        return
        ;;
    '-B')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion setquota -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_listquota() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion listquota -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_delquota() {
    repeating_flags=()
    non_repeating_flags=(--json -n -b -N -B -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion delquota -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_reconfig() {
    repeating_flags=()
    non_repeating_flags=(--json -s -h --help)
    repeating_options=(-add --add -remove --remove)
    non_repeating_options=(-v -members --members -file --file)
    __zk_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-v')
        return
        ;;
    '-add'|'--add')
        return
        ;;
    '-remove'|'--remove')
        return
        ;;
    '-members'|'--members')
        return
        ;;
    '-file'|'--file')
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_4lw() {
    repeating_flags=()
    non_repeating_flags=(--json --all --no-all -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W 'conf'$'\n''cons'$'\n''crst'$'\n''dirs'$'\n''dump'$'\n''envi'$'\n''gtmk'$'\n''hash'$'\n''isro'$'\n''mntr'$'\n''ruok'$'\n''srst'$'\n''srvr'$'\n''stat'$'\n''stmk'$'\n''wchc'$'\n''wchp'$'\n''wchs'
        return
        ;;
    esac
}

_zk_lock() {
    repeating_flags=()
    non_repeating_flags=(--json --list -h --help)
    repeating_options=()
    non_repeating_options=(--wait --grace)
    __zk_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--wait')
        return
        ;;
    '--grace')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion lock -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_elect() {
    repeating_flags=()
    non_repeating_flags=(--json --list -h --help)
    repeating_options=()
    non_repeating_options=(--grace --id)
    __zk_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--grace')
        return
        ;;
    '--id')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion elect -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_queue() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--wait)
    __zk_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '--wait')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W 'put'$'\n''take'$'\n''peek'$'\n''ls'$'\n''count'
        return
        ;;
    2)
        __zk_add_completions -W "$(__zk_custom_complete ---completion queue -- positional@1 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_edit() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion edit -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_diff() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion diff -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __zk_add_completions -W "$(__zk_custom_complete ---completion diff -- positional@1 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_connect() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1
}

_zk_close() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_printwatches() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W 'on'$'\n''off'
        return
        ;;
    esac
}

_zk_cd() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion cd -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_pwd() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_quit() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_version() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0
}

_zk_serve() {
    repeating_flags=()
    non_repeating_flags=(--require-sasl --extended-types -v --verbose -h --help)
    repeating_options=()
    non_repeating_options=(--config --host -p --port --tick-time --min-session-timeout --max-session-timeout --max-client-connections --4lw-whitelist --super-digest --data-dir --snapshot-every --snapshot-compression --secure-port --tls-server-cert --tls-server-key --tls-client-ca --tls-client-auth --sasl-jaas --sasl-jaas-section --sasl-users --metrics-port)
    __zk_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        __zk_add_completions -o plusdirs -fX '!*.@(cfg)'
        return
        ;;
    '--host')
        return
        ;;
    '-p'|'--port')
        return
        ;;
    '--tick-time')
        return
        ;;
    '--min-session-timeout')
        return
        ;;
    '--max-session-timeout')
        return
        ;;
    '--max-client-connections')
        return
        ;;
    '--4lw-whitelist')
        return
        ;;
    '--super-digest')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--snapshot-every')
        return
        ;;
    '--snapshot-compression')
        return
        ;;
    '--secure-port')
        return
        ;;
    '--tls-server-cert')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|crt)'
        return
        ;;
    '--tls-server-key')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|key)'
        return
        ;;
    '--tls-client-ca')
        __zk_add_completions -o plusdirs -fX '!*.@(pem|crt)'
        return
        ;;
    '--tls-client-auth')
        __zk_add_completions -W 'want'$'\n''need'
        return
        ;;
    '--sasl-jaas')
        __zk_add_completions -f
        return
        ;;
    '--sasl-jaas-section')
        return
        ;;
    '--sasl-users')
        __zk_add_completions -f
        return
        ;;
    '--metrics-port')
        return
        ;;
    esac
}

_zk_register() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--id --data --base)
    __zk_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--id')
        return
        ;;
    '--data')
        return
        ;;
    '--base')
        return
        ;;
    esac
}

_zk_services() {
    repeating_flags=()
    non_repeating_flags=(--json --watch -h --help)
    repeating_options=()
    non_repeating_options=(--base)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--base')
        return
        ;;
    esac
}

_zk_barrier() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--count --wait --id)
    __zk_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--count')
        return
        ;;
    '--wait')
        return
        ;;
    '--id')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -W "$(__zk_custom_complete ---completion barrier -- positional@0 "${COMP_CWORD}" "$(__zk_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_zk_bench() {
    repeating_flags=()
    non_repeating_flags=(--json --latency --keep -h --help)
    repeating_options=()
    non_repeating_options=(--count --size --window --sessions --path --ops --batch)
    __zk_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--count')
        return
        ;;
    '--size')
        return
        ;;
    '--window')
        return
        ;;
    '--sessions')
        return
        ;;
    '--path')
        return
        ;;
    '--ops')
        return
        ;;
    '--batch')
        return
        ;;
    esac
}

_zk_snapshot() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    info|ls|get|stat|getAcl|tree|find|sessions|diff|restore)
        # Offer subcommand argument completions
        "_zk_snapshot_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'info ls get stat getAcl tree find sessions diff restore' -- "${cur}"))
        ;;
    esac
}

_zk_snapshot_info() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_ls() {
    repeating_flags=()
    non_repeating_flags=(--json -s -R -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_get() {
    repeating_flags=()
    non_repeating_flags=(--json -s -b --base64 -x --hex -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_stat() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_getAcl() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 2

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_tree() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--depth -d)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--depth'|'-d')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_find() {
    repeating_flags=()
    non_repeating_flags=(--json --ephemeral -h --help)
    repeating_options=()
    non_repeating_options=(--name --regex --session)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--regex')
        return
        ;;
    '--session')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_sessions() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=()
    __zk_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_diff() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--path)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--path')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    2)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_snapshot_restore() {
    repeating_flags=()
    non_repeating_flags=(--json --dry-run -h --help)
    repeating_options=()
    non_repeating_options=(--to)
    __zk_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--to')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_txnlog() {
    repeating_flags=()
    non_repeating_flags=(--json --verify -h --help)
    repeating_options=()
    non_repeating_options=(--path --session --type --since --until)
    __zk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--path')
        return
        ;;
    '--session')
        return
        ;;
    '--type')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __zk_add_completions -f
        return
        ;;
    esac
}

_zk_help() {
    :
}

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
