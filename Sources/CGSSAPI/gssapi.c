#include "CGSSAPI.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

static gss_OID_desc hostbased = {10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
static gss_OID_desc krb5_principal = {10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01"};
static gss_OID_desc krb5_mechanism = {9, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
gss_OID zk_gss_nt_hostbased_service(void) { return &hostbased; }
gss_OID zk_gss_nt_krb5_principal(void) { return &krb5_principal; }

static struct {
    __typeof__(gss_import_name) *import_name;
    __typeof__(gss_acquire_cred) *acquire_cred;
    __typeof__(gss_acquire_cred_from) *acquire_cred_from;
    __typeof__(gss_init_sec_context) *init_sec_context;
    __typeof__(gss_wrap) *wrap;
    __typeof__(gss_unwrap) *unwrap;
    __typeof__(gss_inquire_context) *inquire_context;
    __typeof__(gss_display_name) *display_name;
    __typeof__(gss_display_status) *display_status;
    __typeof__(gss_release_buffer) *release_buffer;
    __typeof__(gss_release_name) *release_name;
    __typeof__(gss_release_cred) *release_cred;
    __typeof__(gss_delete_sec_context) *delete_sec_context;
} gss;

static const char *load_error = "GSS-API was not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        load_error = "the Kerberos GSS-API library (libgssapi_krb5.so.2, Debian's libgssapi-krb5-2) is not installed";
        return;
    }
#define SYMBOL(field, name)                                                                                            \
    if ((gss.field = (__typeof__(gss.field))dlsym(library, name)) == NULL) {                                          \
        load_error = "the Kerberos GSS-API library lacks " name;                                                      \
        return;                                                                                                        \
    }
    SYMBOL(import_name, "gss_import_name")
    SYMBOL(acquire_cred, "gss_acquire_cred")
    SYMBOL(acquire_cred_from, "gss_acquire_cred_from")
    SYMBOL(init_sec_context, "gss_init_sec_context")
    SYMBOL(wrap, "gss_wrap")
    SYMBOL(unwrap, "gss_unwrap")
    SYMBOL(inquire_context, "gss_inquire_context")
    SYMBOL(display_name, "gss_display_name")
    SYMBOL(display_status, "gss_display_status")
    SYMBOL(release_buffer, "gss_release_buffer")
    SYMBOL(release_name, "gss_release_name")
    SYMBOL(release_cred, "gss_release_cred")
    SYMBOL(delete_sec_context, "gss_delete_sec_context")
#undef SYMBOL
    load_error = NULL;
}

const char *zk_gss_load(void) {
    pthread_once(&once, load);
    return load_error;
}

OM_uint32 zk_gss_import_name(OM_uint32 *minor, const char *text, gss_OID type, gss_name_t *name) {
    gss_buffer_desc buffer = {strlen(text), (void *)text};
    return gss.import_name(minor, &buffer, type, name);
}

OM_uint32 zk_gss_acquire_cred(OM_uint32 *minor, gss_name_t principal, const char *keytab, const char *ccache,
                              gss_cred_id_t *cred) {
    gss_OID_set_desc mechanisms = {1, &krb5_mechanism};
    if (keytab == NULL) {
        return gss.acquire_cred(minor, principal, GSS_C_INDEFINITE, &mechanisms, GSS_C_INITIATE, cred, NULL, NULL);
    }
    gss_key_value_element_desc elements[] = {{"client_keytab", keytab}, {"ccache", ccache}};
    gss_key_value_set_desc store = {2, elements};
    return gss.acquire_cred_from(minor, principal, GSS_C_INDEFINITE, &mechanisms, GSS_C_INITIATE, &store, cred, NULL,
                                 NULL);
}

OM_uint32 zk_gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *context,
                                  gss_name_t target, const void *input, size_t input_length,
                                  gss_buffer_t output, OM_uint32 *returned_flags) {
    gss_buffer_desc token = {input_length, (void *)input};
    return gss.init_sec_context(minor, cred, context, target, &krb5_mechanism,
                                GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
                                input_length > 0 ? &token : GSS_C_NO_BUFFER, NULL, output, returned_flags, NULL);
}

OM_uint32 zk_gss_wrap(OM_uint32 *minor, gss_ctx_id_t context, const void *input, size_t length, gss_buffer_t output) {
    gss_buffer_desc message = {length, (void *)input};
    return gss.wrap(minor, context, 0, GSS_C_QOP_DEFAULT, &message, NULL, output);
}

OM_uint32 zk_gss_unwrap(OM_uint32 *minor, gss_ctx_id_t context, const void *input, size_t length,
                        gss_buffer_t output) {
    gss_buffer_desc message = {length, (void *)input};
    return gss.unwrap(minor, context, &message, output, NULL, NULL);
}

OM_uint32 zk_gss_initiator_name(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t output) {
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major = gss.inquire_context(minor, context, &name, NULL, NULL, NULL, NULL, NULL, NULL);
    if (GSS_ERROR(major)) return major;
    major = gss.display_name(minor, name, output, NULL);
    OM_uint32 ignored;
    gss.release_name(&ignored, &name);
    return major;
}

OM_uint32 zk_gss_display_status(OM_uint32 *minor, OM_uint32 status, int is_major, OM_uint32 *message_context,
                                gss_buffer_t output) {
    return gss.display_status(minor, status, is_major ? GSS_C_GSS_CODE : GSS_C_MECH_CODE,
                              is_major ? GSS_C_NO_OID : &krb5_mechanism, message_context, output);
}

void zk_gss_release_buffer(gss_buffer_t buffer) {
    OM_uint32 minor;
    gss.release_buffer(&minor, buffer);
}

void zk_gss_release_name(gss_name_t *name) {
    OM_uint32 minor;
    if (*name != GSS_C_NO_NAME) gss.release_name(&minor, name);
}

void zk_gss_release_cred(gss_cred_id_t *cred) {
    OM_uint32 minor;
    if (*cred != GSS_C_NO_CREDENTIAL) gss.release_cred(&minor, cred);
}

void zk_gss_delete_sec_context(gss_ctx_id_t *context) {
    OM_uint32 minor;
    if (*context != GSS_C_NO_CONTEXT) gss.delete_sec_context(&minor, context, GSS_C_NO_BUFFER);
}
