// Reading untrusted JSON request bodies in the Allegro sandbox: typed look-ups that never throw.
//
// A member that is absent and a member that is JSON null read the same (nullptr / nullopt), as
// Allegro's deserialiser treats them. Numbers: Get*Int accepts integral JSON numbers only (a
// double with a fraction, or text, is "wrong type"); GetNumber accepts any JSON number and, because
// the WzA schema types dimensions as numbers while describing them as "string format", decimal
// text as well. Pure functions; thread-safe.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace nadajnik::sandbox::allegro::wire {

// The member, or nullptr when it is absent or null.
inline const boost::json::value* Find(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

inline bool Has(const boost::json::object& o, std::string_view key) {
  return Find(o, key) != nullptr;
}

// Parses a request body that must be a JSON object.
inline std::optional<boost::json::object> ParseObject(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// The three states of a typed member: absent (or null), present with the right type, or present
// with a wrong type.
template <typename T>
struct Field {
  bool present = false;
  std::optional<T> value;  // empty when absent or of a wrong type
  bool WrongType() const { return present && !value; }
};

inline Field<std::string> GetString(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v) return {};
  if (!v->is_string()) return {true, std::nullopt};
  return {true, std::string(v->get_string())};
}

inline Field<std::int64_t> GetInt(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v) return {};
  if (v->is_int64()) return {true, v->get_int64()};
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return {true, static_cast<std::int64_t>(v->get_uint64())};
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return {true, static_cast<std::int64_t>(d)};
    }
  }
  return {true, std::nullopt};
}

inline Field<bool> GetBool(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v) return {};
  if (!v->is_bool()) return {true, std::nullopt};
  return {true, v->get_bool()};
}

// A JSON number, or a decimal number written as text ("1.2", "1,2").
inline Field<double> GetNumber(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v) return {};
  if (v->is_int64()) return {true, static_cast<double>(v->get_int64())};
  if (v->is_uint64()) return {true, static_cast<double>(v->get_uint64())};
  if (v->is_double()) return {true, v->get_double()};
  if (v->is_string()) {
    std::string text(v->get_string());
    for (char& c : text) {
      if (c == ',') c = '.';
    }
    double d = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc() && p == text.data() + text.size() && std::isfinite(d)) return {true, d};
  }
  return {true, std::nullopt};
}

inline const boost::json::object* GetObject(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v ? v->if_object() : nullptr;
}

inline const boost::json::array* GetArray(const boost::json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v ? v->if_array() : nullptr;
}

}  // namespace nadajnik::sandbox::allegro::wire
