// The system's Kerberos GSS-API (MIT krb5, Debian's libgssapi-krb5-2), loaded when first used:
// zk is linked without it (the static release build has no static krb5 to link), and only a
// GSSAPI login needs it. The headers come from libkrb5-dev.
#ifndef CGSSAPI_H
#define CGSSAPI_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

/// Loads libgssapi_krb5; NULL on success, else why it could not be loaded (static text).
const char *zk_gss_load(void);

/// The OIDs of host-based service names (service@host) and of Kerberos principal names.
gss_OID zk_gss_nt_hostbased_service(void);
gss_OID zk_gss_nt_krb5_principal(void);

OM_uint32 zk_gss_import_name(OM_uint32 *minor, const char *text, gss_OID type, gss_name_t *name);
/// Credentials of `principal` (NULL: the default) from `keytab` (NULL: the ticket cache only).
OM_uint32 zk_gss_acquire_cred(OM_uint32 *minor, gss_name_t principal, const char *keytab, const char *ccache,
                              gss_cred_id_t *cred);
OM_uint32 zk_gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *context,
                                  gss_name_t target, const void *input, size_t input_length,
                                  gss_buffer_t output, OM_uint32 *returned_flags);
OM_uint32 zk_gss_wrap(OM_uint32 *minor, gss_ctx_id_t context, const void *input, size_t length, gss_buffer_t output);
OM_uint32 zk_gss_unwrap(OM_uint32 *minor, gss_ctx_id_t context, const void *input, size_t length,
                        gss_buffer_t output);
/// The name of the context's initiator (the client's principal), as text.
OM_uint32 zk_gss_initiator_name(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t output);
/// The text of a status code (major, or minor of the Kerberos mechanism).
OM_uint32 zk_gss_display_status(OM_uint32 *minor, OM_uint32 status, int is_major, OM_uint32 *message_context,
                                gss_buffer_t output);
void zk_gss_release_buffer(gss_buffer_t buffer);
void zk_gss_release_name(gss_name_t *name);
void zk_gss_release_cred(gss_cred_id_t *cred);
void zk_gss_delete_sec_context(gss_ctx_id_t *context);

#endif
