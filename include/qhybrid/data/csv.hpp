// SPDX-License-Identifier: Apache-2.0
#pragma once
// CSV reading (RFC 4180): a header row, comma-separated fields, fields in double quotes may hold
// commas, newlines and doubled quotes; CRLF or LF line ends. Every row must have as many fields
// as the header. Errors name the source, the line and the column.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::data {

class csv_table {
public:
    csv_table(std::string source, std::vector<std::string> header, std::vector<std::vector<std::string>> rows,
              std::vector<std::size_t> lines)
        : source_(std::move(source)), header_(std::move(header)), rows_(std::move(rows)), lines_(std::move(lines)) {}

    const std::string& source() const noexcept { return source_; }
    const std::vector<std::string>& header() const noexcept { return header_; }
    std::size_t rows() const noexcept { return rows_.size(); }
    std::size_t columns() const noexcept { return header_.size(); }
    const std::string& text(std::size_t row, std::size_t column) const { return rows_.at(row).at(column); }

    // Index of the column named `name`.
    std::size_t column(std::string_view name) const {
        for (std::size_t c = 0; c < header_.size(); ++c)
            if (header_[c] == name) return c;
        fail(source_ + ": no column named \"" + std::string(name) + "\"");
    }

    // The field as a finite number.
    double number(std::size_t row, std::size_t column) const {
        const std::string& t = text(row, column);
        double v = 0;
        const char* end = t.data() + t.size();
        const auto [ptr, ec] = std::from_chars(t.data(), end, v);
        require(ec == std::errc() && ptr == end && std::isfinite(v), [&] {
            return where(row, column) + ": \"" + t + "\" is not a finite number";
        });
        return v;
    }

    std::vector<double> numbers(std::string_view name) const {
        const std::size_t c = column(name);
        std::vector<double> out(rows());
        for (std::size_t r = 0; r < rows(); ++r) out[r] = number(r, c);
        return out;
    }

    std::vector<std::string> texts(std::string_view name) const {
        const std::size_t c = column(name);
        std::vector<std::string> out(rows());
        for (std::size_t r = 0; r < rows(); ++r) out[r] = rows_[r][c];
        return out;
    }

    // "source:line N, column \"name\"" for messages.
    std::string where(std::size_t row, std::size_t column) const {
        return source_ + ":" + std::to_string(lines_.at(row)) + ", column \"" + header_.at(column) + "\"";
    }

private:
    std::string source_;
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<std::size_t> lines_; // line where each row starts (the header is line 1)
};

// Parses CSV text; `source` names it in error messages.
inline csv_table parse_csv(std::string_view text, std::string source = "<csv>") {
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> lines;
    std::vector<std::string> record;
    std::string field;
    std::size_t line = 1, record_line = 1;
    bool quoted = false, field_was_quoted = false;
    auto end_field = [&] {
        record.push_back(std::move(field));
        field.clear();
        field_was_quoted = false;
    };
    auto end_record = [&] {
        end_field();
        if (!(record.size() == 1 && record[0].empty())) { // skip blank lines
            records.push_back(std::move(record));
            lines.push_back(record_line);
        }
        record.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (ch == '\n') ++line;
                field += ch;
            }
        } else if (ch == '"') {
            require(field.empty() && !field_was_quoted, [&] {
                return source + ":" + std::to_string(line) + ": a quote inside an unquoted field";
            });
            quoted = field_was_quoted = true;
        } else if (ch == ',') {
            end_field();
        } else if (ch == '\n' || ch == '\r') {
            if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_record();
            record_line = ++line;
        } else {
            require(!field_was_quoted, [&] {
                return source + ":" + std::to_string(line) + ": text after a closing quote";
            });
            field += ch;
        }
    }
    require(!quoted, [&] { return source + ":" + std::to_string(record_line) + ": a quoted field is not closed"; });
    if (!field.empty() || !record.empty() || field_was_quoted) end_record();
    require(!records.empty(), [&] { return source + ": empty file, expected a header row"; });

    std::vector<std::string> header = std::move(records.front());
    std::vector<std::vector<std::string>> rows(std::make_move_iterator(records.begin() + 1),
                                               std::make_move_iterator(records.end()));
    lines.erase(lines.begin());
    for (std::size_t r = 0; r < rows.size(); ++r)
        require(rows[r].size() == header.size(), [&] {
            return source + ":" + std::to_string(lines[r]) + ": " + std::to_string(rows[r].size()) +
                   " fields, the header has " + std::to_string(header.size());
        });
    return csv_table(std::move(source), std::move(header), std::move(rows), std::move(lines));
}

inline csv_table read_csv(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> bytes = read_file(path);
    return parse_csv(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path.string());
}

} // namespace qhybrid::data
