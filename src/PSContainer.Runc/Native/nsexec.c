/* psc-nsexec: placeholder until the stage-0 helper lands (see README.md in this folder). */
#include <stdio.h>
int main(void) { fputs("psc-nsexec: not built yet\n", stderr); return 1; }
