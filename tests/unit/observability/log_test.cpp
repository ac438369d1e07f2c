#include "observability/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/text.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::log {
namespace {

using ParsedFields = std::vector<std::pair<std::string, std::string>>;

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A strict reader of the text format: "LEVEL event key=value key=\"quoted\"". Fails the test
// (and returns false) on anything the writer should never produce.
bool ParseTextLine(const std::string& line, std::string* level, std::string* event,
                   ParsedFields* fields) {
  if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos) {
    ADD_FAILURE() << "line break inside a line: " << line;
    return false;
  }
  if (line.size() < 6 || line[5] != ' ') {
    ADD_FAILURE() << "no level column: " << line;
    return false;
  }
  *level = line.substr(0, 5);
  std::size_t i = 6;
  const std::size_t event_end = line.find(' ', i);
  *event = line.substr(i, event_end == std::string::npos ? std::string::npos : event_end - i);
  i = event_end;
  while (i != std::string::npos && i < line.size()) {
    if (line[i] != ' ') {
      ADD_FAILURE() << "expected a space at " << i << ": " << line;
      return false;
    }
    ++i;
    const std::size_t eq = line.find('=', i);
    if (eq == std::string::npos) {
      ADD_FAILURE() << "field without '=': " << line;
      return false;
    }
    std::string key = line.substr(i, eq - i);
    std::string value;
    i = eq + 1;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (i >= line.size()) break;
        const char escape = line[i++];
        switch (escape) {
          case '"':
          case '\\':
            value += escape;
            break;
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case 'u':
            if (i + 4 > line.size()) return false;
            AppendUtf8(value, static_cast<char32_t>(std::stoul(line.substr(i, 4), nullptr, 16)));
            i += 4;
            break;
          default:
            ADD_FAILURE() << "unknown escape \\" << escape << ": " << line;
            return false;
        }
      }
      if (!closed) {
        ADD_FAILURE() << "unterminated quote: " << line;
        return false;
      }
      if (i < line.size() && line[i] != ' ') {
        ADD_FAILURE() << "text after a closing quote: " << line;
        return false;
      }
    } else {
      const std::size_t end = line.find(' ', i);
      value = line.substr(i, end == std::string::npos ? std::string::npos : end - i);
      if (value.find('"') != std::string::npos || value.find('=') != std::string::npos) {
        ADD_FAILURE() << "unquoted value with a quote or '=': " << line;
        return false;
      }
      i = end;
    }
    fields->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

TEST(LogTest, TextLineHasLevelEventAndFields) {
  EXPECT_EQ(FormatLine(Format::kText, Level::kInfo, "order.imported",
                       {{"order_id", "123"}, {"buyer", "Jan Kowalski"}, {"items", 3}}),
            "INFO  order.imported order_id=123 buyer=\"Jan Kowalski\" items=3");
  EXPECT_EQ(FormatLine(Format::kText, Level::kError, "job.failed", {}), "ERROR job.failed");
  EXPECT_EQ(FormatLine(Format::kText, Level::kWarn, "x", {{"empty", ""}}), "WARN  x empty=\"\"");
  EXPECT_EQ(FormatLine(Format::kText, Level::kDebug, "x", {{"ok", true}, {"ratio", 0.25}}),
            "DEBUG x ok=true ratio=0.25");
}

TEST(LogTest, TextValuesCannotBreakTheLineOrForgeFields) {
  const std::vector<std::string> attacks = {
      "line\nINFO  forged.event admin=true",
      "carriage\rreturn",
      "x\" admin=\"true",
      "back\\slash\\\" admin=true",
      "tab\there",
      std::string("nul\0byte", 8),
      "bell\x07 esc\x1b[31m del\x7f",
      "unicode line\u2028separator\u2029paragraph",
      "nel\u0085next",
      "key=value",
      "Zażółć gęślą jaźń",
      "\"",
      "\\",
  };
  for (const std::string& attack : attacks) {
    const std::string line =
        FormatLine(Format::kText, Level::kInfo, "buyer.note", {{"note", attack}, {"after", "1"}});
    std::string level;
    std::string event;
    ParsedFields fields;
    ASSERT_TRUE(ParseTextLine(line, &level, &event, &fields)) << line;
    EXPECT_EQ(level, "INFO ");
    EXPECT_EQ(event, "buyer.note");
    ASSERT_EQ(fields.size(), 2u) << line;
    EXPECT_EQ(fields[0].first, "note");
    EXPECT_EQ(fields[0].second, attack) << line;
    EXPECT_EQ(fields[1], (std::pair<std::string, std::string>("after", "1")));
    EXPECT_EQ(line.find("\xE2\x80\xA8"), std::string::npos) << "raw U+2028 in " << line;
  }
}

TEST(LogTest, KeysAndEventNamesAreReducedToSafeTokens) {
  const std::string line = FormatLine(Format::kText, Level::kInfo, "evil event\nINFO  x",
                                      {{"a b=c\"d", "v"}, {"", "empty key"}});
  EXPECT_EQ(line, "INFO  evil_event_INFO__x a_b_c_d=v _=\"empty key\"");
}

TEST(LogTest, InvalidUtf8IsReplaced) {
  const std::string line = FormatLine(Format::kText, Level::kInfo, "e", {{"v", "ok\xff\xc3("}});
  EXPECT_TRUE(IsValidUtf8(line)) << line;
  EXPECT_NE(line.find("ok\xEF\xBF\xBD\xEF\xBF\xBD("), std::string::npos) << line;
}

TEST(LogTest, LongValuesAreBoundedAtCharacterBoundaries) {
  std::string polish;
  for (int i = 0; i < 3000; ++i) polish += "ż";  // two bytes each
  for (const Format format : {Format::kText, Format::kJson}) {
    const std::string line = FormatLine(format, Level::kInfo, "e", {{"v", polish}});
    EXPECT_LT(line.size(), 1024u + 64u);
    EXPECT_GT(line.size(), 1000u);
    EXPECT_TRUE(IsValidUtf8(line));
    EXPECT_NE(line.find("...\""), std::string::npos) << "truncation is marked";
  }
  // Escaping may grow a bounded value, but never without limit: 1 KiB of newlines stays on a
  // single line of bounded size.
  const std::string line =
      FormatLine(Format::kText, Level::kInfo, "e", {{"v", std::string(100000, '\n')}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_LT(line.size(), 2 * 1024u + 64u);
}

boost::json::object ParseJsonLine(const std::string& line) {
  EXPECT_EQ(line.find('\n'), std::string::npos);
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << line;
  if (ec || !value.is_object()) return {};
  return value.as_object();
}

TEST(LogTest, JsonLineParsesWithTypedFields) {
  const std::string line =
      FormatLine(Format::kJson, Level::kWarn, "carrier.retry",
                 {{"carrier", "inpost"}, {"attempt", 3}, {"ok", false}, {"delay_s", 1.5}});
  const boost::json::object object = ParseJsonLine(line);
  EXPECT_EQ(object.at("level").as_string(), "warn");
  EXPECT_EQ(object.at("event").as_string(), "carrier.retry");
  EXPECT_EQ(object.at("carrier").as_string(), "inpost");
  EXPECT_EQ(object.at("attempt").as_int64(), 3);
  EXPECT_EQ(object.at("ok").as_bool(), false);
  EXPECT_DOUBLE_EQ(object.at("delay_s").as_double(), 1.5);
  EXPECT_FALSE(object.contains("ts")) << "FormatLine leaves the timestamp out";
}

TEST(LogTest, JsonValuesRoundTripAndCannotForgeTheEnvelope) {
  const std::vector<std::string> attacks = {
      "\",\"level\":\"error", "line\n{\"level\":\"error\"}",
      "back\\slash",          std::string("nul\0byte", 8),
      "ctl\x01\x1f\x7f",      "\u2028\u2029\u0085",
      "Zażółć gęślą jaźń 🚚",
  };
  for (const std::string& attack : attacks) {
    const std::string line = FormatLine(Format::kJson, Level::kInfo, "buyer.note",
                                        {{"note", attack}, {"level", "error"}, {"event", "x"}});
    const boost::json::object object = ParseJsonLine(line);
    EXPECT_EQ(object.at("level").as_string(), "info") << line;
    EXPECT_EQ(object.at("event").as_string(), "buyer.note") << line;
    EXPECT_EQ(object.at("note").as_string(), attack) << line;
    EXPECT_EQ(object.at("_level").as_string(), "error") << "a field can't replace the level";
    EXPECT_EQ(object.at("_event").as_string(), "x");
    EXPECT_EQ(object.size(), 5u) << line;
  }
}

TEST(LogTest, JsonNumbersAreOnlyEmittedBareWhenTheyAreNumbers) {
  Field forged("count", "1,\"admin\":true");
  forged.number = true;  // public member: must not be trusted
  const boost::json::object object = ParseJsonLine(
      FormatLine(Format::kJson, Level::kInfo, "e",
                 {forged, {"nan", std::nan("")}, {"inf", INFINITY}, {"neg", -2}, {"big", 1e300}}));
  EXPECT_EQ(object.at("count").as_string(), "1,\"admin\":true");
  EXPECT_FALSE(object.contains("admin"));
  EXPECT_EQ(object.at("nan").as_string(), "NaN");
  EXPECT_EQ(object.at("inf").as_string(), "+Inf");
  EXPECT_EQ(object.at("neg").as_int64(), -2);
  EXPECT_DOUBLE_EQ(object.at("big").as_double(), 1e300);
}

TEST(LogTest, ParseLevelAcceptsCommonSpellings) {
  EXPECT_EQ(ParseLevelOr("debug", Level::kError), Level::kDebug);
  EXPECT_EQ(ParseLevelOr("INFO", Level::kError), Level::kInfo);
  EXPECT_EQ(ParseLevelOr("Warning", Level::kError), Level::kWarn);
  EXPECT_EQ(ParseLevelOr("warn", Level::kError), Level::kWarn);
  EXPECT_EQ(ParseLevelOr("error", Level::kInfo), Level::kError);
  EXPECT_EQ(ParseLevelOr("verbose", Level::kInfo), Level::kInfo);
  EXPECT_EQ(ParseLevelOr("", Level::kWarn), Level::kWarn);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class LogFileTest : public ::testing::Test {
 protected:
  // Back to the default so later tests log to stderr again.
  void TearDown() override { Init(Format::kText, Level::kInfo); }
  testing::TempDir dir_;
};

TEST_F(LogFileTest, JsonFileGetsTimestampedLinesAtOrAboveTheLevel) {
  const auto path = dir_.path() / "app.log";
  Init(Format::kJson, Level::kInfo, path.string());
  Debug("too.verbose");
  Info("first", {{"n", 1}});
  Error("second", {{"why", "a\nb"}});
  const std::vector<std::string> lines = Lines(testing::ReadFile(path));
  ASSERT_EQ(lines.size(), 2u) << testing::ReadFile(path);
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const boost::json::object first = ParseJsonLine(lines[0]);
  EXPECT_TRUE(std::regex_match(std::string(first.at("ts").as_string()), iso)) << lines[0];
  EXPECT_EQ(first.at("event").as_string(), "first");
  EXPECT_EQ(first.at("n").as_int64(), 1);
  const boost::json::object second = ParseJsonLine(lines[1]);
  EXPECT_EQ(second.at("level").as_string(), "error");
  EXPECT_EQ(second.at("why").as_string(), "a\nb");
}

TEST_F(LogFileTest, TextFileAppendsAndFiltersByLevel) {
  const auto path = dir_.path() / "text.log";
  Init(Format::kText, Level::kWarn, path.string());
  Info("hidden");
  Warn("shown", {{"k", "v"}});
  Init(Format::kText, Level::kWarn, path.string());  // reopening appends
  Error("also.shown");
  const std::vector<std::string> lines = Lines(testing::ReadFile(path));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z WARN  shown k=v)")))
      << lines[0];
  EXPECT_TRUE(lines[1].ends_with(" ERROR also.shown")) << lines[1];
}

TEST_F(LogFileTest, ConcurrentWritersNeverInterleaveLines) {
  const auto path = dir_.path() / "concurrent.log";
  Init(Format::kJson, Level::kInfo, path.string());
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        Info("tick", {{"thread", t}, {"i", i}, {"payload", std::string(200, 'a' + t)}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::vector<std::string> lines = Lines(testing::ReadFile(path));
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  for (const std::string& line : lines) {
    const boost::json::object object = ParseJsonLine(line);
    const auto thread = object.at("thread").as_int64();
    EXPECT_EQ(object.at("payload").as_string(), std::string(200, 'a' + thread));
  }
}

TEST_F(LogFileTest, UnwritableFileFallsBackWithoutThrowing) {
  // A directory can't be opened as a log file.
  EXPECT_NO_THROW(Init(Format::kText, Level::kInfo, dir_.path().string()));
  EXPECT_NO_THROW(Info("still.logging"));
}

}  // namespace
}  // namespace nadajnik::log
