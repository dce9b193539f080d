/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef DEPTSCOPE_VERSION_H
#define DEPTSCOPE_VERSION_H

#define DS_VERSION "0.1.0"

#endif
