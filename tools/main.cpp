#include <iostream>

#include "tools/cli.hpp"

int main(int argc, char** argv) {
  return rubric::run_command_line(argc, argv, std::cout, std::cerr);
}
