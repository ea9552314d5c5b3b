/* The audit hook in C: records the paths a tracked run opens for reading.
 *
 * A Python audit hook costs ~0.3 us per open just to be called, ~10% of a loop that opens and
 * reads small files; this hook is a C call. It handles the common cases (an absolute str or
 * pathlib path opened for reading) itself and hands every other read, os.chdir and the events
 * that start a process to the Python hook in lamingit/tracking/audit.py, so both record exactly the same reads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fcntl.h>
#include <string.h>

static PyObject *target = NULL;   /* the run's list of opened paths, or NULL: do nothing */
static PyObject *seen = NULL;     /* the run's set of raw reads, where a long list is moved */

/* Appending is ~40 ns; adding to a set of thousands of strings was ~150 ns per open on the
 * development VM (hashing, and a random slot in a table of hundreds of KiB). The list is
 * moved into the set once it is this long, so it stays small whatever a run reads. */
#define COMPACT_AT 32768
static PyObject *fallback = NULL; /* audit._hook(event, args), for the uncommon cases */
static int installed = 0;

static int
is_read_mode(PyObject *mode, PyObject *flags)
{
    if (mode == Py_None) {
        long value = PyLong_AsLong(flags);
        if (value == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        return (value & (O_WRONLY | O_RDWR)) == 0;
    }
    if (!PyUnicode_Check(mode)) {
        return 0;
    }
    const char *text = PyUnicode_AsUTF8(mode);
    if (text == NULL) {
        PyErr_Clear();
        return 0;
    }
    return strpbrk(text, "wax+") == NULL;
}

static PyObject *cached_str_name = NULL; /* "_str" */

/* Events the Python hook handles besides uncommon opens: os.chdir (its cwd cache) and those
 * starting a process (the run's watcher must be watching first); see audit._SPAWN_EVENTS. */
static int
forwarded(const char *event)
{
    static const char *names[] = {"os.chdir", "subprocess.Popen", "os.posix_spawn",
                                  "os.system", "os.exec", "os.spawn", "os.fork", NULL};
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(event, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The str of a path object. pathlib keeps it in ``_str`` once computed (as it is by the time
 * open() asks); reading that skips two Python-level calls of os.fspath(), a third of the
 * hook's cost per open. Anything else goes through os.fspath(). */
static PyObject *
path_text(PyObject *path)
{
    if (!PyBytes_Check(path) && cached_str_name != NULL) {
        PyObject *text = PyObject_GetAttr(path, cached_str_name);
        if (text != NULL && PyUnicode_CheckExact(text)) {
            return text;
        }
        Py_XDECREF(text);
        PyErr_Clear();
    }
    return PyOS_FSPath(path);
}

/* Move the list's paths into the set (on failure they stay in the list: nothing is lost). */
static void
compact(void)
{
    Py_ssize_t n = PyList_GET_SIZE(target);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PySet_Add(seen, PyList_GET_ITEM(target, i)) < 0) {
            PyErr_Clear();
            return;
        }
    }
    if (PyList_SetSlice(target, 0, n, NULL) < 0) {
        PyErr_Clear();
    }
}

static int
hook(const char *event, PyObject *args, void *data)
{
    (void)data;
    if (target == NULL || (event[0] != 'o' && event[0] != 's')) {
        return 0;
    }
    if (strcmp(event, "open") == 0) {
        if (PyTuple_GET_SIZE(args) == 3) {
            PyObject *path = PyTuple_GET_ITEM(args, 0);
            if (PyLong_Check(path)) {
                return 0; /* an open file descriptor: its path was seen when it was opened */
            }
            if (!is_read_mode(PyTuple_GET_ITEM(args, 1), PyTuple_GET_ITEM(args, 2))) {
                return 0;
            }
            /* A pathlib.Path gives its (cached) str; bytes and relative paths go to Python. */
            PyObject *text = PyUnicode_CheckExact(path) ? Py_NewRef(path) : path_text(path);
            if (text == NULL) {
                PyErr_Clear();
                return 0;
            }
            if (PyUnicode_CheckExact(text) && PyUnicode_GET_LENGTH(text) > 0 &&
                PyUnicode_READ_CHAR(text, 0) == '/') {
                if (PyList_Append(target, text) < 0) {
                    PyErr_Clear();
                }
                else if (PyList_GET_SIZE(target) >= COMPACT_AT) {
                    compact();
                }
                Py_DECREF(text);
                return 0;
            }
            Py_DECREF(text);
        }
    }
    else if (!forwarded(event)) {
        return 0;
    }
    if (fallback != NULL) {
        /* A failing fallback must never fail the user's open(). */
        PyObject *result = PyObject_CallFunction(fallback, "sO", event, args);
        Py_XDECREF(result);
        if (result == NULL) {
            PyErr_Clear();
        }
    }
    return 0;
}

static PyObject *
install(PyObject *self, PyObject *args)
{
    PyObject *callable;
    if (!PyArg_ParseTuple(args, "O", &callable)) {
        return NULL;
    }
    Py_XSETREF(fallback, Py_NewRef(callable));
    if (!installed) {
        cached_str_name = PyUnicode_InternFromString("_str");
        if (cached_str_name == NULL) {
            return NULL;
        }
        if (PySys_AddAuditHook(hook, NULL) < 0) {
            return NULL;
        }
        installed = 1;
    }
    Py_RETURN_NONE;
}

static PyObject *
set_target(PyObject *self, PyObject *args)
{
    PyObject *list, *set = NULL;
    if (!PyArg_ParseTuple(args, "O|O", &list, &set)) {
        return NULL;
    }
    if (list == Py_None) {
        Py_CLEAR(target);
        Py_CLEAR(seen);
    }
    else if (PyList_CheckExact(list) && set != NULL && PySet_Check(set)) {
        Py_XSETREF(target, Py_NewRef(list));
        Py_XSETREF(seen, Py_NewRef(set));
    }
    else {
        PyErr_SetString(PyExc_TypeError, "set_target() takes a list and a set, or None");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"install", install, METH_VARARGS,
     "install(fallback): add the C audit hook once; fallback(event, args) gets the rest."},
    {"set_target", set_target, METH_VARARGS,
     "set_target(list, set) | set_target(None): absolute read paths are appended to the list,\n"
     "moved into the set when the list grows long (None: off)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_audit_c", "The audit hook of tracked runs, in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__audit_c(void)
{
    return PyModule_Create(&module);
}
