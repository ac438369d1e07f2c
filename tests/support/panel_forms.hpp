// The panel as integration tests drive it: the CSRF token of a rendered form, and logging in
// through the /login form as a browser does.
#pragma once

#include <string>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"

namespace nadajnik::testing {

// The csrf_token hidden field of the first form in `html` ("" when there is none).
std::string CsrfFrom(const std::string& html);

// GET /login, then POST it with the form's token: the answer to the POST (303 on success).
HttpResult PanelLogIn(HttpClient& client, NadajnikInstance& nadajnik, const std::string& username,
                      const std::string& password);

}  // namespace nadajnik::testing
