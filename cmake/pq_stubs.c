/*
 * Failing stand-ins for the GSSAPI (Kerberos) and LDAP functions that Debian's libpq.a calls.
 *
 * Linked only into the release binary (SENTINEL_STATIC=ON, cmake/SentinelStaticLink.cmake).
 * Debian ships libpq.a built with GSSAPI and LDAP but no static Kerberos or OpenLDAP, and linking
 * the shared ones drags in the whole krb5/sasl/gnutls chain (26 libraries in ldd). What the
 * release binary loses instead:
 *   - Kerberos authentication (auth method "gss" in pg_hba.conf) fails with a clear error;
 *   - GSSAPI transport encryption: with the default gssencmode=prefer, libpq finds no credentials
 *     (gss_acquire_cred fails) and silently goes on with TLS or plain TCP; gssencmode=require
 *     fails;
 *   - "ldap://" lookups in pg_service.conf fail ("could not create LDAP structure").
 * Everything else in libpq (TLS, SCRAM, md5, password, peer) is untouched.
 *
 * The functions keep the C ABI of MIT krb5's <gssapi/gssapi.h> and OpenLDAP's <ldap.h> (pointer
 * and 32-bit integer arguments, same return types). Those headers are not installed on the build
 * machine, so the few types needed are spelled out here. Every stub fails without touching
 * memory beyond clearing its output arguments, so no caller ever reads an uninitialised value.
 */
#include <stddef.h>
#include <stdint.h>

/* Each stub ignores most of its arguments by design, and no header declares these functions:
 * libpq.a holds the only other mention of them. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

/* GSSAPI (RFC 2744) */

typedef uint32_t stub_om_uint32;
typedef struct { stub_om_uint32 length; void *elements; } stub_gss_oid_desc;
typedef struct { size_t length; void *value; } stub_gss_buffer_desc;

#define STUB_GSS_S_COMPLETE ((stub_om_uint32)0)
#define STUB_GSS_S_UNAVAILABLE ((stub_om_uint32)16 << 16)
#define STUB_GSS_S_FAILURE ((stub_om_uint32)13 << 16)

/* The one data symbol libpq needs: the OID 1.2.840.113554.1.2.1.4 of host-based service names. */
static stub_gss_oid_desc stub_nt_hostbased_service = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
stub_gss_oid_desc *GSS_C_NT_HOSTBASED_SERVICE = &stub_nt_hostbased_service;

static void clear_minor(stub_om_uint32 *minor) {
  if (minor) *minor = 0;
}

static void clear_buffer(stub_gss_buffer_desc *buffer) {
  if (buffer) {
    buffer->length = 0;
    buffer->value = NULL;
  }
}

static void clear_handle(void **handle) {
  if (handle) *handle = NULL;
}

/* libpq calls this first to see whether any Kerberos credentials exist; failing here is what
 * makes gssencmode=prefer fall back. */
stub_om_uint32 gss_acquire_cred(stub_om_uint32 *minor, void *desired_name, stub_om_uint32 time_req,
                                void *desired_mechs, int cred_usage, void **output_cred,
                                void **actual_mechs, stub_om_uint32 *time_rec) {
  clear_minor(minor);
  clear_handle(output_cred);
  clear_handle(actual_mechs);
  if (time_rec) *time_rec = 0;
  return STUB_GSS_S_UNAVAILABLE;
}

stub_om_uint32 gss_import_name(stub_om_uint32 *minor, stub_gss_buffer_desc *input_name,
                               stub_gss_oid_desc *name_type, void **output_name) {
  clear_minor(minor);
  clear_handle(output_name);
  return STUB_GSS_S_UNAVAILABLE;
}

stub_om_uint32 gss_init_sec_context(stub_om_uint32 *minor, void *cred, void **context,
                                    void *target_name, stub_gss_oid_desc *mech_type,
                                    stub_om_uint32 req_flags, stub_om_uint32 time_req,
                                    void *channel_bindings, stub_gss_buffer_desc *input_token,
                                    stub_gss_oid_desc **actual_mech_type,
                                    stub_gss_buffer_desc *output_token, stub_om_uint32 *ret_flags,
                                    stub_om_uint32 *time_rec) {
  clear_minor(minor);
  clear_handle((void **)actual_mech_type);
  clear_buffer(output_token);
  if (ret_flags) *ret_flags = 0;
  if (time_rec) *time_rec = 0;
  return STUB_GSS_S_UNAVAILABLE;
}

/* libpq prints the text of a failed status; give it one that says why. It loops while
 * *message_context is non-zero, so leave that at 0. */
stub_om_uint32 gss_display_status(stub_om_uint32 *minor, stub_om_uint32 status_value,
                                  int status_type, stub_gss_oid_desc *mech_type,
                                  stub_om_uint32 *message_context,
                                  stub_gss_buffer_desc *status_string) {
  static char text[] = "GSSAPI is not available in this build of sentineld";
  clear_minor(minor);
  if (message_context) *message_context = 0;
  if (status_string) {
    status_string->length = sizeof text - 1;
    status_string->value = text;
  }
  return STUB_GSS_S_COMPLETE;
}

/* Nothing these stubs hand out was allocated, so releasing only clears the caller's copy. */
stub_om_uint32 gss_release_buffer(stub_om_uint32 *minor, stub_gss_buffer_desc *buffer) {
  clear_minor(minor);
  clear_buffer(buffer);
  return STUB_GSS_S_COMPLETE;
}

stub_om_uint32 gss_release_cred(stub_om_uint32 *minor, void **cred) {
  clear_minor(minor);
  clear_handle(cred);
  return STUB_GSS_S_COMPLETE;
}

stub_om_uint32 gss_release_name(stub_om_uint32 *minor, void **name) {
  clear_minor(minor);
  clear_handle(name);
  return STUB_GSS_S_COMPLETE;
}

stub_om_uint32 gss_delete_sec_context(stub_om_uint32 *minor, void **context,
                                      stub_gss_buffer_desc *output_token) {
  clear_minor(minor);
  clear_handle(context);
  clear_buffer(output_token);
  return STUB_GSS_S_COMPLETE;
}

stub_om_uint32 gss_wrap(stub_om_uint32 *minor, void *context, int conf_req, stub_om_uint32 qop_req,
                        stub_gss_buffer_desc *input, int *conf_state,
                        stub_gss_buffer_desc *output) {
  clear_minor(minor);
  if (conf_state) *conf_state = 0;
  clear_buffer(output);
  return STUB_GSS_S_FAILURE;
}

stub_om_uint32 gss_unwrap(stub_om_uint32 *minor, void *context, stub_gss_buffer_desc *input,
                          stub_gss_buffer_desc *output, int *conf_state, stub_om_uint32 *qop_state) {
  clear_minor(minor);
  clear_buffer(output);
  if (conf_state) *conf_state = 0;
  if (qop_state) *qop_state = 0;
  return STUB_GSS_S_FAILURE;
}

stub_om_uint32 gss_wrap_size_limit(stub_om_uint32 *minor, void *context, int conf_req,
                                   stub_om_uint32 qop_req, stub_om_uint32 req_output_size,
                                   stub_om_uint32 *max_input_size) {
  clear_minor(minor);
  if (max_input_size) *max_input_size = 0;
  return STUB_GSS_S_FAILURE;
}

/* LDAP (OpenLDAP's API as libpq uses it for ldap:// service lookups). ldap_init failing is
 * enough to stop a lookup; the rest fail too, should a later libpq call them another way. */

struct timeval;

#define STUB_LDAP_SUCCESS 0
#define STUB_LDAP_OTHER 0x50
#define STUB_LDAP_OPT_ERROR (-1)

void *ldap_init(const char *host, int port) { return NULL; }

int ldap_set_option(void *ld, int option, const void *value) { return STUB_LDAP_OPT_ERROR; }

int ldap_simple_bind(void *ld, const char *who, const char *password) { return -1; }

int ldap_result(void *ld, int msgid, int all, struct timeval *timeout, void **result) {
  clear_handle(result);
  return -1;
}

int ldap_search_st(void *ld, const char *base, int scope, const char *filter, char **attrs,
                   int attrsonly, struct timeval *timeout, void **result) {
  clear_handle(result);
  return STUB_LDAP_OTHER;
}

int ldap_count_entries(void *ld, void *chain) { return -1; }

void *ldap_first_entry(void *ld, void *chain) { return NULL; }

void *ldap_get_values_len(void *ld, void *entry, const char *attr) { return NULL; }

void ldap_value_free_len(void *values) {}

int ldap_msgfree(void *message) { return 0; }

int ldap_unbind(void *ld) { return STUB_LDAP_SUCCESS; }

char *ldap_err2string(int error) {
  static char text[] = "LDAP is not available in this build of sentineld";
  return text;
}
