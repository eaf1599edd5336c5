// The numbered registry: the order the suite runs the checks in and the numbers and titles
// docs/security.md lists (a test compares the two).

#include "checks.hpp"

#include "check.hpp"

namespace sentinel::security {

const std::vector<Check>& security_checks() {
  static const std::vector<Check> checks = {
      {"S01", "missing admin token -> 401", missing_admin_token},
      {"S02", "unknown admin token -> 401", unknown_admin_token},
      {"S03", "expired admin token -> 401", expired_admin_token},
      {"S04", "revoked admin token -> 401", revoked_admin_token},
      {"S05", "wrong-role token -> 403, nothing changed", wrong_role_token},
      {"S06", "every protected route refuses no token and a too-weak role",
       every_route_needs_its_role},
      {"S07", "worker role API refuses requests without a token", worker_api_needs_token},
      {"S08", "bad or tampered HMAC -> 401", bad_signature},
      {"S09", "another agent's key (cross-agent forgery) -> 401", cross_agent_forgery},
      {"S10", "stale timestamp -> 401", stale_timestamp},
      {"S11", "future timestamp -> 401", future_timestamp},
      {"S12", "replayed nonce -> 401", replayed_nonce},
      {"S13", "reused bootstrap token -> 401", reused_bootstrap_token},
      {"S14", "expired or revoked bootstrap token -> 401", expired_bootstrap_token},
      {"S15", "enrolment cannot overwrite an existing agent -> 409",
       enrolment_cannot_replace_agent},
      {"S16", "oversized body -> 413", oversized_body},
      {"S17", "decompression bomb (zstd, gzip) -> 413", decompression_bomb},
      {"S18", "unknown encoding or content type -> 415", unknown_encoding},
      {"S19", "malformed protobuf or compressed data -> 400", malformed_protobuf},
      {"S20", "invalid UTF-8 in a push -> 400, nothing written to the log",
       malformed_strings_not_logged},
      {"S21", "TLS required: plain HTTP refused", tls_required},
      {"S22", "mTLS: missing or untrusted client certificate refused",
       untrusted_client_certificate},
      {"S23", "rate limit -> 429 with Retry-After", rate_limit},
      {"S24", "spoofed X-Forwarded-For from an untrusted peer ignored", spoofed_forwarded_for},
      {"S25", "prod mode refuses a weak master key", prod_refuses_weak_secret},
      {"S26", "prod mode refuses a missing master key", prod_refuses_missing_secret},
      {"S27", "prod mode refuses example secrets", prod_refuses_example_secret},
      {"S28", "notifier secrets masked in answers and sealed at rest", notifier_secrets_masked},
      {"S29", "secrets absent from API responses", no_secret_in_api},
      {"S30", "secrets absent from /metrics", no_secret_in_metrics},
      {"S31", "secrets absent from config print", no_secret_in_config_print},
      {"S32", "secrets absent from logs", no_secret_in_logs},
      {"S33", "SQL metacharacters in every query API parameter (SQLite)",
       sql_metacharacters_sqlite},
      {"S34", "SQL metacharacters in every query API parameter (PostgreSQL)",
       sql_metacharacters_postgres},
      {"S35", "a repeated enrolment needs its enrollment_id, and only until the agent is seen",
       repeated_enrolment_needs_its_id},
  };
  return checks;
}

}  // namespace sentinel::security
