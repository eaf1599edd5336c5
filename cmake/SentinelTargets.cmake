# Shared compile flags and the one way every subsystem library is declared.
add_library(sentinel_flags INTERFACE)
target_compile_options(sentinel_flags INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
# GCC 12's flow-based warnings misfire in optimized builds on code the dev (-O0) build compiles
# cleanly with every warning an error: -Wmismatched-new-delete on Asio's coroutine frames (their
# own operator new/delete pair), -Wrestrict/-Wstringop-overflow/-Warray-bounds inside libstdc++'s
# std::string, -Wmaybe-uninitialized through std::optional. They stay on in the dev and asan builds.
target_compile_options(sentinel_flags INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>:-Wno-mismatched-new-delete;-Wno-restrict;-Wno-stringop-overflow;-Wno-array-bounds;-Wno-maybe-uninitialized;-Wno-free-nonheap-object>)
# Boost.Asio without deprecated APIs; one definition of the coroutine machinery everywhere.
target_compile_definitions(sentinel_flags INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
if(SENTINEL_SANITIZE)
  target_compile_options(sentinel_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=undefined)
  target_link_options(sentinel_flags INTERFACE -fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 at -O1 under AddressSanitizer misreads library code: libstdc++'s std::function
    # inside std::regex as "maybe uninitialized", Asio's coroutine frame allocator as a
    # mismatched new/delete. The dev and release builds keep both warnings.
    target_compile_options(sentinel_flags INTERFACE -Wno-maybe-uninitialized
                                                    -Wno-mismatched-new-delete)
  endif()
endif()
if(SENTINEL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SENTINEL_FUZZ needs clang (libFuzzer): use the fuzz preset")
  endif()
  # Coverage feedback from every library the targets reach; the fuzzers link libFuzzer's main.
  # No UBSan here: clang 14 fails on coroutines built with it ("Cannot represent a difference
  # across sections"); the asan preset (GCC) covers undefined behaviour.
  target_compile_options(sentinel_flags INTERFACE -fsanitize=fuzzer-no-link,address
                                                  -fno-omit-frame-pointer)
  target_link_options(sentinel_flags INTERFACE -fsanitize=address)
endif()

# sentinel_library(<name> SOURCES ... [DEPENDS ...] [PRIVATE_DEPENDS ...])
# Declares the static library sentinel_<name> with the alias sentinel::<name>; the public headers
# live in include/sentinel/<name>/ and the private ones next to the sources.
function(sentinel_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(sentinel_${name} STATIC ${ARG_SOURCES})
  add_library(sentinel::${name} ALIAS sentinel_${name})
  target_include_directories(sentinel_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sentinel_${name} PUBLIC sentinel_flags ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS})
endfunction()
