// Checking a label a carrier sent before it is stored or served. Carriers answer a label request
// with an error page, a JSON or SOAP error, or a ZIP (InPost, for mixed services) often enough
// that the message must say what arrived, so the seller knows it isn't a printer problem.
// qpdf 11: use std::shared_ptr in its API, without the PointerHolder transition warning.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

std::string_view TrimStart(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // a UTF-8 byte order mark
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == '\0')) {
    s.remove_suffix(1);
  }
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool ContainsNoCase(std::string_view s, std::string_view needle) {
  return std::search(s.begin(), s.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != s.end();
}

// The first bytes, printable ASCII kept and the rest shown as '.'.
std::string Preview(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, 24)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 32 && u < 127 ? c : '.');
  }
  return out;
}

// What `bytes` look like: "a ZIP archive", "an HTML page", ...
std::string WhatArrived(std::string_view bytes) {
  if (bytes.empty()) return "nothing";
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4) ||
      bytes.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
    return "a ZIP archive";
  }
  const std::string_view head = TrimStart(bytes).substr(0, 1024);
  if (head.empty()) return "only blank characters";
  if (head.substr(0, 5) == "%PDF-") return "a PDF document";
  if (StartsWithNoCase(head, "<!doctype html") || StartsWithNoCase(head, "<html") ||
      ContainsNoCase(head, "<html")) {
    return "an HTML page";
  }
  if (head.front() == '<') return "an XML document";
  if (head.front() == '{' || head.front() == '[') return "a JSON document";
  if (StartsWithNoCase(head, "^xa")) return "a ZPL label";
  return fmt::format("unrecognised data starting with \"{}\"", Preview(head));
}

Unexpected Refuse(std::string_view bytes, std::string_view expected) {
  const std::string what = WhatArrived(bytes);
  std::string hint = "download the label again; if this repeats, check the shipment at the carrier";
  if (what == "a ZIP archive") {
    hint = "the carrier packs labels of several services into a ZIP: download them per service";
  } else if (what == "an HTML page" || what == "a JSON document" || what == "an XML document") {
    hint =
        "that is usually the carrier's error message: check the shipment's status at the "
        "carrier, then download the label again";
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("The carrier sent {} ({} bytes) instead of a {} label: {}", what,
                          bytes.size(), expected, hint),
              Preview(bytes));
}

Result<void> CheckPdf(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 1024);
  if (head.find("%PDF-") == std::string_view::npos) return Refuse(bytes, "PDF");
  const std::string_view tail = bytes.substr(bytes.size() > 1024 ? bytes.size() - 1024 : 0);
  if (tail.find("%%EOF") == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The carrier sent a truncated PDF ({} bytes, no end-of-file marker): "
                            "download the label again",
                            bytes.size()));
  }
  try {
    QPDF doc;
    doc.setSuppressWarnings(true);
    doc.processMemoryFile("label", bytes.data(), bytes.size());
    if (QPDFPageDocumentHelper(doc).getAllPages().empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("The carrier sent a PDF with no pages ({} bytes): download the "
                              "label again",
                              bytes.size()));
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The carrier sent a damaged PDF ({} bytes) that can't be read: "
                            "download the label again",
                            bytes.size()),
                e.what());
  }
  return Ok();
}

Result<void> CheckZpl(std::string_view bytes) {
  const std::string_view body = TrimEnd(TrimStart(bytes));
  if (!StartsWithNoCase(body, "^xa")) return Refuse(bytes, "ZPL");
  if (body.size() < 6 || !StartsWithNoCase(body.substr(body.size() - 3), "^xz")) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The carrier sent ZPL that doesn't end with ^XZ ({} bytes): it was "
                            "cut off; download the label again",
                            bytes.size()));
  }
  return Ok();
}

}  // namespace

Result<void> CheckLabel(std::string_view bytes, domain::LabelFormat format) {
  switch (format) {
    case domain::LabelFormat::kPdfA6:
    case domain::LabelFormat::kPdfA4:
      return CheckPdf(bytes);
    case domain::LabelFormat::kZpl203:
    case domain::LabelFormat::kZpl300:
      return CheckZpl(bytes);
  }
  return Fail(ErrorCode::kInternal, "Unknown label format");
}

}  // namespace nadajnik::documents
