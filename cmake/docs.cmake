# The man page and bash completion of the esdb tool, generated at build time
# by running the tool just built, so they say exactly what `esdb --help` and
# every `esdb COMMAND --help` say and follow any subcommand added later:
#   esdb.1     help2man over `esdb --help` and `--version`, plus a COMMANDS
#              section made of each subcommand's help (man_page.cmake);
#   esdb.bash  `esdb completion bash`, which walks the CLI11 app.
# Needs help2man (Debian package help2man); without it there is no man page.
find_program(ESDB_HELP2MAN help2man)

set(ESDB_COMPLETION ${PROJECT_BINARY_DIR}/esdb.bash)
add_custom_command(OUTPUT ${ESDB_COMPLETION}
  COMMAND esdb_cli completion bash > ${ESDB_COMPLETION}
  DEPENDS esdb_cli
  COMMENT "Generating bash completion for esdb")
set(ESDB_DOCS ${ESDB_COMPLETION})
install(FILES ${ESDB_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME esdb)

if(ESDB_HELP2MAN)
  set(ESDB_MAN ${PROJECT_BINARY_DIR}/esdb.1)
  add_custom_command(OUTPUT ${ESDB_MAN}
    COMMAND ${CMAKE_COMMAND} -DESDB=$<TARGET_FILE:esdb_cli> -DHELP2MAN=${ESDB_HELP2MAN} -DOUT=${ESDB_MAN}
            -P ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
    DEPENDS esdb_cli ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
    COMMENT "Generating the esdb man page")
  list(APPEND ESDB_DOCS ${ESDB_MAN})
  install(FILES ${ESDB_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no esdb man page (Debian: apt-get install help2man)")
endif()
add_custom_target(esdb_docs ALL DEPENDS ${ESDB_DOCS})
