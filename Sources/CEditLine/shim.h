// Non-variadic wrappers around libedit (el_set, el_get and history are variadic, which Swift cannot
// call) and around the C stdio globals (which Swift 6 rejects as shared mutable state).
#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H

#include <histedit.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

static inline FILE *ceditline_stdin(void) { return stdin; }
static inline FILE *ceditline_stdout(void) { return stdout; }
static inline FILE *ceditline_stderr(void) { return stderr; }

static inline EditLine *ceditline_init(const char *program) {
    setlocale(LC_CTYPE, "");
    return el_init(program, stdin, stdout, stderr);
}
static inline void ceditline_set_prompt(EditLine *el, char *(*prompt)(EditLine *)) {
    el_set(el, EL_PROMPT_ESC, prompt, '\1');
}
static inline void ceditline_set_editor(EditLine *el, const char *mode) { el_set(el, EL_EDITOR, mode); }
static inline void ceditline_set_signal(EditLine *el, int on) { el_set(el, EL_SIGNAL, on); }
static inline void ceditline_set_clientdata(EditLine *el, void *data) { el_set(el, EL_CLIENTDATA, data); }
static inline void *ceditline_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline void ceditline_set_history(EditLine *el, History *history_) { el_set(el, EL_HIST, history, history_); }
static inline void ceditline_add_function(
    EditLine *el, const char *name, const char *help, unsigned char (*function)(EditLine *, int)) {
    el_set(el, EL_ADDFN, name, help, function);
}
static inline void ceditline_bind(EditLine *el, const char *key, const char *function) {
    el_set(el, EL_BIND, key, function, NULL);
}
/// Where libedit reads characters from (returns 1, 0 at end of input, -1 on error).
static inline void ceditline_set_getc(EditLine *el, int (*getc)(EditLine *, wchar_t *)) {
    el_set(el, EL_GETCFN, getc);
}
static inline void ceditline_source(EditLine *el) { el_source(el, NULL); }
/// The line being edited and the cursor position within it (bytes).
static inline const char *ceditline_line(EditLine *el, int *cursor, int *length) {
    const LineInfo *info = el_line(el);
    *cursor = (int)(info->cursor - info->buffer);
    *length = (int)(info->lastchar - info->buffer);
    return info->buffer;
}
/// Moves the cursor to the end of the line being edited (a function bound to a key then returns
/// CC_CURSOR, for libedit to move it on the screen).
static inline void ceditline_cursor_to_end(EditLine *el) {
    const LineInfoW *info = el_wline(el);
    el_cursor(el, (int)(info->lastchar - info->cursor));
}
static inline int ceditline_completion_cursor(void) { return CC_CURSOR; }
static inline int ceditline_completion_refresh(void) { return CC_REFRESH; }
static inline int ceditline_completion_redisplay(void) { return CC_REDISPLAY; }
static inline int ceditline_completion_error(void) { return CC_ERROR; }

static inline History *ceditline_history_init(int size) {
    History *h = history_init();
    HistEvent event;
    history(h, &event, H_SETSIZE, size);
    history(h, &event, H_SETUNIQUE, 1);
    return h;
}
static inline void ceditline_history_enter(History *h, const char *line) {
    HistEvent event;
    history(h, &event, H_ENTER, line);
}
static inline void ceditline_history_load(History *h, const char *file) {
    HistEvent event;
    history(h, &event, H_LOAD, file);
}
static inline void ceditline_history_save(History *h, const char *file) {
    HistEvent event;
    history(h, &event, H_SAVE, file);
}
/// The history's entries, oldest first, through a callback.
static inline void ceditline_history_each(History *h, void *context, void (*each)(void *, const char *)) {
    HistEvent event;
    if (history(h, &event, H_LAST) != 0) return;
    do { each(context, event.str); } while (history(h, &event, H_PREV) == 0);
}
static inline int ceditline_isatty_stdin(void) { return isatty(STDIN_FILENO); }
static inline int ceditline_isatty_stdout(void) { return isatty(STDOUT_FILENO); }
#endif
