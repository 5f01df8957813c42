// libFuzzer target: CSV text is parsed or rejected with qhybrid::error, and a parsed table's cells
// can be read back by row and column (numbers or the error that names the cell).
#include <qhybrid/data/csv.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto table = qhybrid::data::parse_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
        for (std::size_t c = 0; c < table.columns(); ++c) {
            try {
                (void)table.numbers(table.header()[c]);
            } catch (const qhybrid::error&) {
            }
        }
    } catch (const qhybrid::error&) {
    }
    return 0;
}
