# man/: one page per program plus the overview; each program's engineer
# appends its page here.
dist_man_MANS += man/apcmini.7
dist_man_MANS += man/apcminid.8
dist_man_MANS += man/apcbench.1
dist_man_MANS += man/apcsynth.1
dist_man_MANS += man/apcmini.conf.5
dist_man_MANS += man/apcmon.1
dist_man_MANS += man/apcvirt.1
