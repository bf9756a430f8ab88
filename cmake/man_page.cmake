# cmake -DESDB=path/to/esdb -DHELP2MAN=help2man -DOUT=esdb.1 -P man_page.cmake
#
# help2man turns `esdb --help` into the page; the subcommands named in that
# help's SUBCOMMANDS list each get a subsection holding their own --help,
# verbatim, so nothing is written twice and a new subcommand shows up alone.
execute_process(COMMAND ${ESDB} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${ESDB} --help failed (${rc})")
endif()

# CLI11 lists them under "Subcommands:" (SUBCOMMANDS: in older releases), as "  name   description" lines.
string(REGEX MATCH "(SUBCOMMANDS|Subcommands):\n(  [^\n]*\n)+" listing "${help}")
string(REGEX MATCHALL "\n  [a-z][a-z0-9_-]*" names "${listing}")
if(NOT names)
  message(FATAL_ERROR "no subcommands found in `${ESDB} --help`")
endif()

set(include "[COMMANDS]\nEach command's own \\fB--help\\fR, as the tool prints it.\n")
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  execute_process(COMMAND ${ESDB} ${name} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ESDB} ${name} --help failed (${rc})")
  endif()
  # roff: a backslash is \e, and a line may not start with a control character.
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  string(APPEND include ".SS \"esdb ${name}\"\n.nf\n${text}.fi\n")
endforeach()
get_filename_component(dir "${OUT}" DIRECTORY)
file(WRITE "${dir}/esdb.h2m" "${include}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --section 1 --name "immutable per-key event archives"
          --include "${dir}/esdb.h2m" --output "${OUT}" ${ESDB}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
