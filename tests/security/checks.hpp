#pragma once
// The checks of the security suite, one function each, grouped by file; checks.cpp numbers them.

#include "check.hpp"

namespace sentinel::security {

class Lab;

// checks_api.cpp
void missing_admin_token(Lab& lab);
void unknown_admin_token(Lab& lab);
void expired_admin_token(Lab& lab);
void revoked_admin_token(Lab& lab);
void wrong_role_token(Lab& lab);
void every_route_needs_its_role(Lab& lab);
void worker_api_needs_token(Lab& lab);
// checks_push.cpp
void bad_signature(Lab& lab);
void cross_agent_forgery(Lab& lab);
void stale_timestamp(Lab& lab);
void future_timestamp(Lab& lab);
void replayed_nonce(Lab& lab);
// checks_enrol.cpp
void reused_bootstrap_token(Lab& lab);
void expired_bootstrap_token(Lab& lab);
void enrolment_cannot_replace_agent(Lab& lab);
void repeated_enrolment_needs_its_id(Lab& lab);
// checks_body.cpp
void oversized_body(Lab& lab);
void decompression_bomb(Lab& lab);
void unknown_encoding(Lab& lab);
void malformed_protobuf(Lab& lab);
void malformed_strings_not_logged(Lab& lab);
// checks_network.cpp
void tls_required(Lab& lab);
void untrusted_client_certificate(Lab& lab);
void rate_limit(Lab& lab);
void spoofed_forwarded_for(Lab& lab);
// checks_secrets.cpp
void prod_refuses_weak_secret(Lab& lab);
void prod_refuses_missing_secret(Lab& lab);
void prod_refuses_example_secret(Lab& lab);
void notifier_secrets_masked(Lab& lab);
void no_secret_in_api(Lab& lab);
void no_secret_in_metrics(Lab& lab);
void no_secret_in_config_print(Lab& lab);
void no_secret_in_logs(Lab& lab);
// checks_query.cpp
void sql_metacharacters_sqlite(Lab& lab);
void sql_metacharacters_postgres(Lab& lab);

}  // namespace sentinel::security
