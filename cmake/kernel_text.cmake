# clrt_kernel_text(OUT sources...): the program's source, as the device
# compiles it. The sources are concatenated in the given order, so their
# local `#include "..."` lines are dropped (the included text is already
# there); `#line` markers keep compiler messages pointing at the original
# files.
function(clrt_kernel_text out)
  set(text_all "")
  foreach(source IN LISTS ARGN)
    file(READ "${source}" text)
    get_filename_component(name "${source}" NAME)
    string(REGEX REPLACE "(^|\n)#include \"[^\"]*\"" "\\1/* local include already embedded */" text "${text}")
    string(REGEX REPLACE "\n$" "" text "${text}")
    string(APPEND text_all "#line 1 \"${name}\"\n${text}\n")
  endforeach()
  set(${out} "${text_all}" PARENT_SCOPE)
endfunction()
