# Writes the program's source (what clrt embeds and builds on a device)
# to a plain .cl file, for compilers run by hand (scripts/gpu-check.sh).
#
# Usage: cmake -DOUTPUT=clrt.cl -P cmake/write_kernel_source.cmake
get_filename_component(CLRT_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
include(${CMAKE_CURRENT_LIST_DIR}/kernel_sources.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/kernel_text.cmake)
clrt_kernel_text(text ${CLRT_KERNEL_SOURCES})
file(WRITE "${OUTPUT}" "${text}")
