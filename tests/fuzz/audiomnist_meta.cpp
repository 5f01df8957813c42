// libFuzzer target: audioMNIST_meta.txt's text is parsed into speakers or rejected with qhybrid::error.
#include <qhybrid/data/audiomnist.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto speakers = qhybrid::data::parse_audiomnist_meta(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
        for (const auto& s : speakers)
            if (s.id.empty() || s.age < -1 || s.age >= 200) __builtin_trap(); // the parser's promises
    } catch (const qhybrid::error&) {
    }
    return 0;
}
