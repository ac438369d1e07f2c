#include "support/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

#include <curl/curl.h>

namespace nadajnik::testing {
namespace {

constexpr long kTimeoutSeconds = 30;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  const std::string_view line(data, size * count);
  // A new status line starts a new response (after "100 Continue"): forget the interim headers.
  if (line.starts_with("HTTP/")) {
    headers->clear();
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers->emplace_back(std::string(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return size * count;
}

}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

std::vector<std::string> HttpResult::Headers(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

struct HttpClient::Impl {
  CURL* curl = nullptr;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->curl = curl_easy_init();
  CURL* curl = impl_->curl;
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  // Options for every request. The handle is never curl_easy_reset(): that would drop the
  // cookie engine (and, in curl 7.88, leak its pending file list).
  curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");  // cookie engine on, empty jar
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // Send the URL as written: tests probe how the server handles odd paths.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
}

HttpClient::~HttpClient() { curl_easy_cleanup(impl_->curl); }

HttpResult HttpClient::Get(const std::string& url, const HttpHeaders& headers) {
  return Request("GET", url, headers);
}

HttpResult HttpClient::PostForm(const std::string& url,
                                const std::vector<std::pair<std::string, std::string>>& fields,
                                const HttpHeaders& headers) {
  HttpHeaders all = headers;
  all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return Request("POST", url, all, FormEncode(fields));
}

HttpResult HttpClient::PostJson(const std::string& url, const std::string& body,
                                const HttpHeaders& headers) {
  HttpHeaders all = headers;
  all.emplace_back("Content-Type", "application/json");
  return Request("POST", url, all, body);
}

HttpResult HttpClient::Request(const std::string& method, const std::string& url,
                               const HttpHeaders& headers, const std::string& body) {
  CURL* curl = impl_->curl;
  HttpResult result;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);

  // Back to a plain GET, then whatever this request needs.
  curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (!body.empty() || method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    }
    if (method != "POST" && (method != "GET" || !body.empty())) {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }

  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    // "Name;" is curl's way to send a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

  const CURLcode code = curl_easy_perform(curl);
  // Nothing may point at this call's locals or at the freed list afterwards.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    result.status = 0;
    result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    return result;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

std::optional<std::string> HttpClient::Cookie(std::string_view name) const {
  curl_slist* cookies = nullptr;
  curl_easy_getinfo(impl_->curl, CURLINFO_COOKIELIST, &cookies);
  std::optional<std::string> value;
  // Netscape format: domain, subdomains, path, secure, expiry, name, value (tab-separated).
  for (curl_slist* item = cookies; item != nullptr; item = item->next) {
    std::vector<std::string_view> columns;
    std::string_view line(item->data);
    while (true) {
      const std::size_t tab = line.find('\t');
      columns.push_back(line.substr(0, tab));
      if (tab == std::string_view::npos) break;
      line.remove_prefix(tab + 1);
    }
    if (columns.size() >= 7 && columns[5] == name) value = std::string(columns[6]);
  }
  curl_slist_free_all(cookies);
  return value;
}

void HttpClient::ClearCookies() { curl_easy_setopt(impl_->curl, CURLOPT_COOKIELIST, "ALL"); }

long HttpClient::LastNewConnections() const {
  long count = -1;
  curl_easy_getinfo(impl_->curl, CURLINFO_NUM_CONNECTS, &count);
  return count;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  const auto encode = [](std::string_view text, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += c;
      } else {
        out += '%';
        out += kHex[u >> 4];
        out += kHex[u & 0xF];
      }
    }
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    encode(name, out);
    out += '=';
    encode(value, out);
  }
  return out;
}

}  // namespace nadajnik::testing
