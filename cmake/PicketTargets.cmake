# Helpers that give every Picket target the same flags.
#
#   picket_library(NAME picket_core SOURCES a.cpp b.cpp DEPS ...)
#     a static library whose public headers are in include/ beside its sources.
#   picket_tests(NAME picket_core_tests SOURCES tests/x_test.cpp DEPS picket_core)
#     a GoogleTest program registered with CTest.

set(PICKET_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)

function(picket_flags target)
  target_compile_options(${target} PRIVATE ${PICKET_WARNINGS})
  if(PICKET_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(PICKET_FUZZ)
    # Coverage instrumentation for libFuzzer in every library the fuzz targets link.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

function(picket_library)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SOURCES})
  target_include_directories(${A_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  picket_flags(${A_NAME})
endfunction()

function(picket_tests)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SOURCES})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${A_NAME} PRIVATE PICKET_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  picket_flags(${A_NAME})
  gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${A_NAME}
                       ENVIRONMENT "PICKET_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# picket_layer(NAME picket_x DEPS ... [PRIVATE_DEPS ...] [TEST_DEPS ...])
#   One layer under src/: a static library of every .cpp below this directory (except tests/
#   and fuzz/), public headers in include/, and one GoogleTest program of tests/*_test.cpp.
#   Sources are globbed so that adding a file needs no edit here.
function(picket_layer)
  cmake_parse_arguments(A "" "NAME" "DEPS;PRIVATE_DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "/(tests|fuzz|bench)/")
  picket_library(NAME ${A_NAME} SOURCES ${srcs} DEPS ${A_DEPS} PRIVATE_DEPS ${A_PRIVATE_DEPS})
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/*.cpp)
  if(tests)
    picket_tests(NAME ${A_NAME}_tests SOURCES ${tests} DEPS ${A_NAME} ${A_TEST_DEPS})
  endif()
endfunction()

# Every library layer that exists, for programs that may use any of them (app, bench, fuzz).
function(picket_all_layers out)
  set(libs)
  foreach(layer ${PICKET_LAYERS})
    if(TARGET picket_${layer})
      list(APPEND libs picket_${layer})
    endif()
  endforeach()
  set(${out} ${libs} PARENT_SCOPE)
endfunction()
