#include "postgres/errors.hpp"

namespace sentinel::store::postgres {

ErrorClass classify_sqlstate(std::string_view sqlstate) {
  if (sqlstate.empty() || sqlstate.starts_with("08")) return {"unavailable", true};
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return {"unavailable", true};
  }
  if (sqlstate == "40001") return {"serialization_failure", true};
  if (sqlstate == "40P01") return {"deadlock", true};
  if (sqlstate.starts_with("53")) return {"resources", true};
  if (sqlstate == "23505") return {"conflict", false};
  if (sqlstate.starts_with("23")) return {"constraint", false};
  if (sqlstate == "57014") return {"timeout", false};
  if (sqlstate.starts_with("22")) return {"invalid_argument", false};
  return {"database", false};
}

}  // namespace sentinel::store::postgres
